// The sales workspace's signed links: tampering, expiry, another assignment, bounds, CSRF tokens.
import { assignmentOf, goneReason, type CurrentLead } from '../../src/workspace/assignment';
import { csrfTokenFor, csrfTokenMatches, LINK_TTL_MS, MAX_LINK_TOKEN_LENGTH, signLinkToken, verifyLinkToken, type LeadLinkToken } from '../../src/workspace/link-tokens';

const secret = 'unit-app-link-secret-0123456789abcdef';
const leadId = '3a1717d8-07a4-4b93-89e9-09586a2d6703';
const now = Date.UTC(2026, 11, 7, 0, 0);
const lead: LeadLinkToken = { kind: 'lead', leadId, rep: 'rep@sales.test', cycle: 0, seq: 3, expiresAt: now + LINK_TTL_MS };
const current: CurrentLead = { stage: 'mql', owner: 'Rep@Sales.test', cycle: 0, assignment: { cycle: 0, seq: 3 } };

describe('workspace link tokens', () => {
  it('round-trips a lead and a queue token, each for its own kind only', () => {
    const token = signLinkToken(secret, lead);
    expect(verifyLinkToken(secret, 'lead', token)).toEqual({ ...lead, expiresAt: Math.floor(lead.expiresAt / 1000) * 1000 });
    expect(verifyLinkToken(secret, 'queue', token)).toBeNull();
    const queue = signLinkToken(secret, { kind: 'queue', rep: 'rep@sales.test', expiresAt: now + 1000 });
    expect(verifyLinkToken(secret, 'queue', queue)).toMatchObject({ kind: 'queue', rep: 'rep@sales.test' });
    expect(verifyLinkToken(secret, 'lead', queue)).toBeNull();
  });

  it('refuses tampering, another secret, overlong tokens and garbage without throwing', () => {
    const token = signLinkToken(secret, lead);
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ k: 'l', l: leadId, r: 'attacker@evil.example', c: 0, s: 3, e: 9_999_999_999 })).toString('base64url');
    const flipped = `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [`${forged}.${mac}`, `${flipped}.${mac}`, `${payload}.${mac.slice(1)}`, `${payload}.`, `.${mac}`, `${token}.x`, '', 'a.b', '%%%.%%%', `${payload}.${mac}=`, 'x'.repeat(MAX_LINK_TOKEN_LENGTH + 1), 'a'.repeat(100_000) + '.b']) {
      expect(verifyLinkToken(secret, 'lead', bad)).toBeNull();
    }
    expect(verifyLinkToken('another-secret-0123456789abcdef0123', 'lead', token)).toBeNull();
    expect(verifyLinkToken(undefined, 'lead', token)).toBeNull();
    expect(verifyLinkToken(secret, 'lead', 42)).toBeNull();
  });

  it('rejects a pathological token quickly (no backtracking)', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) verifyLinkToken(secret, 'lead', `${'-'.repeat(MAX_LINK_TOKEN_LENGTH - 2)}.!`);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
  });

  it('keeps verifying with an older key after a rotation', () => {
    const old = signLinkToken(secret, lead);
    expect(verifyLinkToken(`new-app-link-secret-0123456789abcdef,${secret}`, 'lead', old)).not.toBeNull();
  });

  it('opens only the current assignment of an open lead, and says why not', () => {
    expect(goneReason(lead, current, now)).toBeNull();
    expect(goneReason({ ...lead, expiresAt: now }, current, now)).toBe('expired');
    expect(goneReason(lead, null, now)).toBe('closed');
    expect(goneReason(lead, { ...current, stage: 'sql' }, now)).toBe('closed');
    expect(goneReason(lead, { ...current, stage: 'recycled', cycle: 1 }, now)).toBe('closed');
    expect(goneReason(lead, { ...current, owner: 'other@sales.test', assignment: { cycle: 0, seq: 5 } }, now)).toBe('reassigned');
    // Reassigned back to the same rep: a newer email carries the newer link.
    expect(goneReason(lead, { ...current, assignment: { cycle: 0, seq: 7 } }, now)).toBe('reassigned');
    expect(goneReason(lead, { ...current, stage: 'working' }, now)).toBeNull();
  });

  it('finds the newest owner-giving transition', () => {
    expect(assignmentOf([])).toBeNull();
    const t = (seq: number, reason: string, cycle = 0) => ({ seq, reason, cycle });
    expect(assignmentOf([t(1, 'enrolled'), t(2, 'mql'), t(3, 'assigned'), t(4, 'contact_attempt')])).toEqual({ cycle: 0, seq: 3 });
    expect(assignmentOf([t(2, 'mql'), t(5, 'sla_breached'), t(3, 'contacted')])).toEqual({ cycle: 0, seq: 5 });
    expect(assignmentOf([t(2, 'mql'), t(6, 'recycle_period_over', 1), t(9, 'mql', 1)])).toEqual({ cycle: 1, seq: 9 });
  });

  it('binds the CSRF token to its link token, compared in constant time', () => {
    const token = signLinkToken(secret, lead);
    const csrf = csrfTokenFor(secret, token);
    expect(csrfTokenMatches(secret, token, csrf)).toBe(true);
    const other = signLinkToken(secret, { ...lead, seq: 4 });
    expect(csrfTokenMatches(secret, other, csrf)).toBe(false);
    for (const bad of [undefined, '', csrf.slice(1), `${csrf}x`, csrf.toUpperCase(), 42]) expect(csrfTokenMatches(secret, token, bad)).toBe(false);
  });
});
