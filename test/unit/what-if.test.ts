import { cyclesOf, WhatIfTally } from '../../src/scoring/what-if';
import type { ScoringModel } from '../../src/domain/types';

const model = (threshold: number, points: number): ScoringModel => ({
  id: 'm',
  version: 1,
  fit: [],
  behavior: [{ id: 'demo', event: 'demo_request', points }],
  behaviorWindow: '30d',
  mql: { threshold },
});

describe('what-if (pure parts)', () => {
  it('cyclesOf: the current cycle starts at the last return from recycling; decided handoffs keep their cycle start', () => {
    const t = (cycle: number, reason: string, at: number, rejection_reason: string | null = null) => ({ cycle, reason, at, rejection_reason });
    expect(cyclesOf([t(0, 'enrolled', 0), t(0, 'mql', 10), t(0, 'rejected', 20, 'no_need'), t(1, 'recycle_period_over', 30), t(1, 'mql', 40), t(1, 'accepted', 50)])).toEqual({
      behaviorSince: 30,
      decided: [
        { mqlAt: 10, outcome: 'rejected:no_need' },
        { mqlAt: 40, since: 30, outcome: 'accepted' },
      ],
    });
    // An open handoff is not decided; a lead never recycled has no cycle start.
    expect(cyclesOf([t(0, 'enrolled', 0), t(0, 'mql', 10)])).toEqual({ decided: [] });
  });

  it('WhatIfTally: counts MQLs both ways, lists changes (at most 100) and scores decided handoffs at their MQL instant', () => {
    const tally = new WhatIfTally(model(40, 50), 1_000);
    const demo = (at: number) => ({ eventId: `e${at}`, type: 'demo_request', at });
    for (let i = 0; i < 150; i++) tally.add({ leadId: `l${i}`, stage: 'nurturing', attributes: {}, events: [demo(900)], decided: [] }, model(60, 50));
    tally.add({ leadId: 'x', stage: 'sql', attributes: {}, events: [demo(100)], decided: [{ mqlAt: 100, outcome: 'accepted' }] }, model(60, 70));
    const r = tally.result('m');
    expect(r.leadsEvaluated).toBe(151);
    // Current: 50 < 60 for the 150, 70 ≥ 60 for x. Candidate: 50 ≥ 40 for all 151.
    expect(r.mql).toEqual({ current: 1, candidate: 151 });
    expect(r.changes).toMatchObject({ becomeMql: 150, stopBeingMql: 0, scoreChanged: 151, truncated: true });
    expect(r.changes.listed).toHaveLength(100);
    expect(r.outcomes).toEqual([{ outcome: 'accepted', handoffs: 1, current: { mql: 1, meanScore: 70 }, candidate: { mql: 1, meanScore: 50 } }]);
  });
});
