// Rate limits: per API key on keyed routes, per client address (stricter) on public routes and for
// requests without a valid key; the 429 says when to come back (Retry-After).
import { startApiHarness, type ApiHarness, type Reply } from './api-support';

describe('rate limits', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness('rate-limit', { rateLimits: { perMinute: 5, publicPerMinute: 3 } });
  });
  afterAll(async () => h?.stop());

  const expectThrottled = (res: Reply, by: RegExp) => {
    expect(res.statusCode).toBe(429);
    expect(res.json().error.code).toBe('rate_limited');
    expect(res.json().error.message).toMatch(by);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  };

  it('answers 429 with Retry-After once a key has made its requests of the minute; other keys are not affected', async () => {
    for (let i = 0; i < 5; i++) expect((await h.call('marketing', 'GET', '/v1/leads?limit=1')).statusCode).toBe(200);
    expectThrottled(await h.call('marketing', 'GET', '/v1/leads?limit=1'), /with this API key/);
    // Before the body is read: a throttled POST does not reach validation or the database.
    expectThrottled(await h.call('marketing', 'POST', '/v1/leads', { not: 'valid' }), /with this API key/);
    expect((await h.call('sales', 'GET', '/v1/leads?limit=1')).statusCode).toBe(200);
  });

  it('limits public routes (/t/*, /u/*) per client address, more strictly', async () => {
    const paths = ['/t/o/not-a-token', '/t/c/not-a.token', '/u/not-a-token'];
    for (const path of paths) expect((await h.call(null, 'GET', path)).statusCode).toBe(404);
    expectThrottled(await h.call(null, 'GET', '/t/o/not-a-token'), /from this address/);
    expectThrottled(await h.call(null, 'POST', '/u/not-a-token'), /from this address/);
    // An unknown key does not buy a bucket of its own: it counts against the address.
    expectThrottled(await h.call(null, 'GET', '/v1/leads', undefined, { authorization: 'Bearer guessed-key-0123456789abcdef0123456789' }), /from this address/);
    // Keyed requests with a valid key are counted per key, not per address.
    expect((await h.call('ops', 'GET', '/v1/leads?limit=1')).statusCode).toBe(200);
  });
});
