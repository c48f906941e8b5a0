// The authorization rules on leads, as pure decisions: who may touch a lead, and the rep and actor
// a sales action is recorded with (docs/api.md, "Authorization on leads").
import { ApiError } from '../../src/api/errors';
import { actingAs, mayTouchLead } from '../../src/api/lead-access';
import type { Principal } from '../../src/api/principal';
import { keyMatches, newUserKey, userKeyId } from '../../src/users/api-key';

const user = (role: 'sales' | 'manager' | 'ops' | 'marketing', email: string, team: string | null = 'East'): Principal => ({ kind: 'user', role, email, emailNormalized: email.toLowerCase(), team });
const refusal = (f: () => unknown): [number, string] | null => {
  try {
    f();
    return null;
  } catch (err) {
    return err instanceof ApiError ? [err.status, err.code] : null;
  }
};

describe('mayTouchLead', () => {
  const rep = user('sales', 'Sato@Example.jp');
  it('lets a sales user touch only the leads they own, the email compared case-insensitively', () => {
    expect(mayTouchLead(rep, { owner: ' sato@example.jp', ownerTeam: undefined })).toBe(true);
    expect(mayTouchLead(rep, { owner: 'suzuki@example.jp', ownerTeam: 'East' })).toBe(false);
    expect(mayTouchLead(rep, { owner: null, ownerTeam: undefined })).toBe(false);
  });
  it("lets a manager touch the team's leads and their own, not another team's or an owner outside the directory", () => {
    const boss = user('manager', 'boss@example.jp', 'East');
    expect(mayTouchLead(boss, { owner: 'suzuki@example.jp', ownerTeam: 'east' })).toBe(true);
    expect(mayTouchLead(boss, { owner: 'tanaka@example.jp', ownerTeam: 'West' })).toBe(false);
    expect(mayTouchLead(boss, { owner: 'nobody@example.jp', ownerTeam: undefined })).toBe(false);
    expect(mayTouchLead(boss, { owner: 'boss@example.jp', ownerTeam: 'West' })).toBe(true);
    expect(mayTouchLead(user('manager', 'solo@example.jp', null), { owner: 'x@example.jp', ownerTeam: null })).toBe(false);
  });
  it('lets ops users and every role key touch any lead', () => {
    expect(mayTouchLead(user('ops', 'ops@example.jp'), { owner: 'x@example.jp', ownerTeam: undefined })).toBe(true);
    expect(mayTouchLead({ kind: 'service', role: 'sales' }, { owner: 'x@example.jp', ownerTeam: undefined })).toBe(true);
  });
});

describe('actingAs', () => {
  it('makes the user the rep and actor, refusing another name', () => {
    const rep = user('sales', 'Sato@Example.jp');
    expect(actingAs(rep, undefined)).toEqual({ rep: 'Sato@Example.jp', actor: 'Sato@Example.jp' });
    expect(actingAs(rep, 'sato@example.jp ')).toEqual({ rep: 'Sato@Example.jp', actor: 'Sato@Example.jp' });
    expect(refusal(() => actingAs(rep, 'suzuki@example.jp'))).toEqual([403, 'rep_mismatch']);
  });
  it('needs a rep from ops users and role keys, and records who sent it', () => {
    expect(refusal(() => actingAs({ kind: 'service', role: 'sales' }, undefined))).toEqual([400, 'validation_failed']);
    expect(actingAs({ kind: 'service', role: 'sales' }, 'sato@example.jp')).toEqual({ rep: 'sato@example.jp', actor: 'service:sales' });
    expect(actingAs(user('ops', 'ops@example.jp'), 'sato@example.jp')).toEqual({ rep: 'sato@example.jp', actor: 'ops@example.jp' });
  });
});

describe('user API keys', () => {
  it('are found by their id and match only themselves', () => {
    const { keyId, apiKey, digest } = newUserKey();
    expect(userKeyId(apiKey)).toBe(keyId);
    expect(keyMatches(apiKey, digest)).toBe(true);
    const other = `${apiKey.slice(0, -1)}${apiKey.endsWith('A') ? 'B' : 'A'}`;
    expect(userKeyId(other)).toBe(keyId);
    expect(keyMatches(other, digest)).toBe(false);
  });
  it('tell a role key or garbage from a user key by shape alone', () => {
    for (const s of ['dev-sales-key-00000001', `llu_${'g'.repeat(16)}_${'A'.repeat(43)}`, `llu_${'a'.repeat(16)}-${'A'.repeat(43)}`, `llu_${'a'.repeat(16)}_${'A'.repeat(42)}!`, 'llu_'.repeat(1000)]) {
      expect(userKeyId(s)).toBeNull();
    }
  });
});
