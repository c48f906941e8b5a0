import { clickUrl, rewriteLinks, signToken, unsubscribeUrl, verifyToken } from '../../src/mail/tokens';

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

  it('rewrites http(s) links in text, leaving its own links and trailing punctuation alone', () => {
    const links = { baseUrl: 'https://leads.example.test', secret };
    const text = `See https://example.com/case. Or (https://example.com/p?q=1), or ${unsubscribeUrl(links, leadId)}`;
    const out = rewriteLinks(links, leadId, 'm', text);
    expect(out).toContain(`See ${clickUrl(links, leadId, 'm', 'https://example.com/case')}.`);
    expect(out).toContain(`(${clickUrl(links, leadId, 'm', 'https://example.com/p?q=1')})`);
    expect(out).toContain(unsubscribeUrl(links, leadId));
    expect(out).not.toMatch(/ https:\/\/example\.com/);
  });
});
