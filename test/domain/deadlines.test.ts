// When time alone changes a lead (nextWakeup), and who gets it (firstOwnerIndex).
import { firstOwnerIndex, nextWakeup } from '../../src/domain/deadlines';
import { step } from '../../src/domain/lifecycle';
import { CONFIG, CONTACTED_AT, D, H, Lead, leadInStage, MQL_AT, mqlLead, T0, tick, workingLead } from './support/lead-fixtures';

describe('nextWakeup', () => {
  it('reports the one deadline that matters in each stage', () => {
    expect(nextWakeup(new Lead().state, CONFIG)).toMatchObject({ kind: 'nurture', at: T0 + 3 * D });
    expect(nextWakeup(mqlLead().state, CONFIG)).toMatchObject({ kind: 'sla', at: MQL_AT + 24 * H });
    expect(nextWakeup(workingLead().state, CONFIG)).toMatchObject({ kind: 'qualification', at: CONTACTED_AT + 14 * D });
    expect(nextWakeup(leadInStage('recycled').lead.state, CONFIG)).toMatchObject({ kind: 'recycle', at: CONTACTED_AT + H + 30 * D });
    expect(nextWakeup(leadInStage('sql').lead.state, CONFIG)).toBeNull();
    expect(nextWakeup(leadInStage('disqualified').lead.state, CONFIG)).toBeNull();
  });

  it('a tick before nextWakeup().at never changes anything, a tick at it always does', () => {
    for (const stage of ['nurturing', 'mql', 'working', 'recycled'] as const) {
      const { lead } = leadInStage(stage);
      const wake = nextWakeup(lead.state, CONFIG)!;
      const early = step(lead.state, tick, wake.at - 1, CONFIG);
      expect(early.commands).toEqual([]);
      expect(early.state).toEqual(lead.state);
      const due = step(lead.state, tick, wake.at, CONFIG);
      expect(due.commands.length).toBeGreaterThan(0);
      expect(nextWakeup(due.state, CONFIG)?.at ?? Infinity).toBeGreaterThan(wake.at);
    }
  });
});

describe('firstOwnerIndex', () => {
  it('is the FNV-1a hash of "leadId#cycle" modulo the number of owners', () => {
    // Computed independently (Python FNV-1a 32-bit): fnv1a("lead-1#0") = 0x51127ad6, fnv1a("a#0") = 0xf0ac1657.
    expect(firstOwnerIndex('lead-1', 0, 2 ** 32)).toBe(0x51127ad6);
    expect(firstOwnerIndex('a', 0, 2 ** 32)).toBe(0xf0ac1657);
    expect(firstOwnerIndex('lead-1', 0, 3)).toBe(0x51127ad6 % 3);
    expect(firstOwnerIndex('lead-1', 1, 3)).toBe(2);
  });

  it('is deterministic and in range; -1 without owners', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const index = firstOwnerIndex(`lead-${i}`, 0, 3);
      expect(index).toBe(firstOwnerIndex(`lead-${i}`, 0, 3));
      expect(Number.isInteger(index)).toBe(true);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(3);
      seen.add(index);
    }
    // Spreads leads over all owners.
    expect([...seen].sort()).toEqual([0, 1, 2]);
    expect(firstOwnerIndex('lead-1', 0, 1)).toBe(0);
    expect(firstOwnerIndex('lead-1', 0, 0)).toBe(-1);
  });
});
