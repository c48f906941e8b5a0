import { clickLink, DEFAULT_CLICK_TTL_MS, MAX_CLICK_LINK_LENGTH, signToken, urlHash, verifyToken } from '../../src/mail/tokens';

const secret = 'unit-test-secret-0123456789abcdef0123';
const leadId = '3a1717d8-07a4-4b93-89e9-09586a2d6703';

describe('signed email tokens', () => {
  it('round-trips each kind and refuses it for another kind', () => {
    const click = signToken(secret, { kind: 'click', leadId, mail: 'm1', url: 'https://example.com/a?b=c' });
    expect(verifyToken(secret, 'click', click)).toEqual({ kind: 'click', leadId, mail: 'm1', url: 'https://example.com/a?b=c' });
    expect(verifyToken(secret, 'open', click)).toBeNull();
    expect(verifyToken(secret, 'unsubscribe', click)).toBeNull();
    const unsub = signToken(secret, { kind: 'unsubscribe', leadId });
    expect(verifyToken(secret, 'unsubscribe', unsub)).toEqual({ kind: 'unsubscribe', leadId });
  });

  it('refuses tampering, another secret and garbage without throwing', () => {
    const token = signToken(secret, { kind: 'open', leadId, mail: 'm1' });
    const [payload, mac] = token.split('.') as [string, string];
    const other = Buffer.from(JSON.stringify({ k: 'o', l: 'someone-else', m: 'm1' })).toString('base64url');
    for (const bad of [`${other}.${mac}`, `${payload}.${mac.slice(1)}`, `${payload}.`, `.${mac}`, `${token}.x`, '', 'a.b', '%%%.%%%', 'x'.repeat(10_000)]) {
      expect(verifyToken(secret, 'open', bad)).toBeNull();
    }
    expect(verifyToken('another-secret-0123456789abcdef0123', 'open', token)).toBeNull();
  });

  it('never seals a non-http URL', () => {
    const token = signToken(secret, { kind: 'click', leadId, mail: 'm', url: 'javascript:alert(1)' });
    expect(verifyToken(secret, 'click', token)).toBeNull();
  });

  it('gives click links an expiry, one year unless configured', () => {
    const links = { baseUrl: 'https://leads.example.test', secret };
    const now = Date.UTC(2026, 0, 1);
    const token = (link: string) => verifyToken(secret, 'click', link.slice(link.lastIndexOf('/') + 1));
    expect(token(clickLink(links, leadId, 'nurture:x', 'https://example.com/a', now).link)).toMatchObject({ url: 'https://example.com/a', expiresAt: now + DEFAULT_CLICK_TTL_MS });
    expect(token(clickLink({ ...links, clickTtlMs: 3_600_000 }, leadId, 'nurture:x', 'https://example.com/a', now).link)!.expiresAt).toBe(now + 3_600_000);
    // A token without expiry (signed before links expired) still verifies; the route decides (public.ts).
    expect(verifyToken(secret, 'click', signToken(secret, { kind: 'click', leadId, mail: 'm', url: 'https://example.com/' }))!.expiresAt).toBeUndefined();
  });

  it('signs with the newest key and verifies with any key of a rotation', () => {
    const older = 'older-tracking-secret-0123456789abcdef';
    const newer = 'newer-tracking-secret-0123456789abcdef';
    const before = signToken(older, { kind: 'unsubscribe', leadId });
    const rotated = `${newer},${older}`;
    expect(verifyToken(rotated, 'unsubscribe', before)).toEqual({ kind: 'unsubscribe', leadId });
    const after = signToken(rotated, { kind: 'unsubscribe', leadId });
    expect(verifyToken(newer, 'unsubscribe', after)).toEqual({ kind: 'unsubscribe', leadId });
    expect(verifyToken(older, 'unsubscribe', after)).toBeNull();
    // Once the old key is dropped, its tokens stop verifying.
    expect(verifyToken(newer, 'unsubscribe', before)).toBeNull();
  });

  it('keeps the click link of a 5,000-character URL short: the URL is stored, the token names its hash', () => {
    const links = { baseUrl: 'https://leads.example.test', secret };
    const long = `https://example.com/landing?${'q=1&'.repeat(1250)}`.slice(0, 5000);
    const mail = `nurture:${leadId}:${'c'.repeat(64)}:${'s'.repeat(64)}:12`;
    const click = clickLink(links, leadId, mail, long);
    expect(click.link.length).toBeLessThanOrEqual(MAX_CLICK_LINK_LENGTH);
    expect(click.stored).toEqual({ hash: urlHash(long), url: long });
    expect(verifyToken(secret, 'click', click.link.slice(click.link.lastIndexOf('/') + 1))).toEqual({ kind: 'click', leadId, mail: expect.any(String), urlHash: urlHash(long), expiresAt: expect.any(Number) });
    // A short URL is embedded: nothing to store.
    const short = clickLink(links, leadId, mail, 'https://example.com/offer');
    expect(short.stored).toBeNull();
    expect(short.link.length).toBeLessThanOrEqual(MAX_CLICK_LINK_LENGTH);
  });
});
