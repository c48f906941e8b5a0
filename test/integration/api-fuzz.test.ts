// Property-based bad input over HTTP on real servers (fast-check): random JSON, wrong types, Unicode
// edge cases, megabyte strings, SQL and HTML injection strings, for every route with a body and for
// path and query parameters. Always a 4xx naming the field or a success that stored the value as
// given (trimmed where the schema says so); never a 500; a rejected request stores nothing.
import fc from 'fast-check';
import type { ApiRole } from '../../src/config';
import { startApiHarness, type ApiHarness, type Reply } from './api-support';

const NO_LEAD = '00000000-0000-4000-8000-000000000000';
/** Cases per property: thousands per route in total, a few minutes for the whole file. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 450);

const INJECTIONS = [
  "'; DROP TABLE leads; --",
  "' OR '1'='1",
  '"; SELECT pg_sleep(10); --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '{{constructor.constructor("return process")()}}',
  '${process.exit()}',
  '../../../../etc/passwd',
  'A\r\nBcc: victim@evil.test',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202eevil',
  '\ufeff',
  '😀👨‍👩‍👧‍👦',
  '山田 太郎',
  'ｱｲｳｴｵ',
  '__proto__',
  'constructor',
  ' ',
  '',
  'null',
];

const MEGABYTE = 'x'.repeat(1024 * 1024);
/** Strings a user (or an attacker) could send. */
const anyString = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 190, maxLength: 400 }) },
  { weight: 1, arbitrary: fc.constant(MEGABYTE) },
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: anyString },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2)) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

describe('bad input, property-based', () => {
  let h: ApiHarness;
  let leadId: string;
  let cases = 0;
  const perRoute = new Map<string, number>();

  beforeAll(async () => {
    // Thousands of requests in seconds from one address: the fuzz checks inputs, not the rate limiter.
    h = await startApiHarness('api-fuzz', { rateLimits: { perMinute: 0, publicPerMinute: 0 } });
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/fuzz-${h.tag}`, { name: 'Fuzz', steps: [] })).statusCode).toBe(201);
    const res = await h.call('marketing', 'POST', '/v1/leads', { email: `target-${h.tag}@fuzz.test`, campaignId: `fuzz-${h.tag}` });
    expect(res.statusCode).toBe(201);
    leadId = res.json().leadId;
  });
  afterAll(async () => {
    console.log(`[fuzz] ${cases} cases: ${[...perRoute.entries()].map(([r, n]) => `${r} ${n}`).join(', ')}`);
    await h?.stop();
  });

  /** A request, with the invariants every answer must satisfy. */
  async function send(route: string, role: ApiRole | null, method: string, url: string, body?: unknown, raw = false): Promise<Reply> {
    cases++;
    perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
    const res = await h.call(role, method, url, raw ? (body as string) : body, raw ? { 'content-type': 'application/json' } : {});
    if (res.statusCode >= 500) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 500)}\nbody: ${JSON.stringify(body)?.slice(0, 500)}`);
    if (res.statusCode >= 400 && res.headers['content-type']?.startsWith('application/json')) {
      const { error } = res.json();
      expect(typeof error.code).toBe('string');
      expect(typeof error.message).toBe('string');
      if (error.code === 'validation_failed') {
        expect(error.details.length).toBeGreaterThan(0);
        for (const d of error.details) {
          expect(typeof d.in).toBe('string');
          expect(typeof d.field).toBe('string');
        }
        const first = error.details[0];
        if (first.field) expect(error.message).toContain(first.field);
      }
    }
    return res;
  }

  const fieldsNamed = (res: Reply): string[] => (res.json().error.details ?? []).map((d: { field: string }) => d.field);
  const names = (field: string) => (f: string) => f === field || f.startsWith(`${field}.`);

  /** Body routes with a valid body; each property replaces one field, or the whole body. */
  const BODY_ROUTES: { route: string; role: ApiRole; method: string; url: () => string; valid: () => Record<string, unknown>; ok: number[] }[] = [
    { route: 'POST /v1/leads', role: 'marketing', method: 'POST', url: () => '/v1/leads', valid: () => ({ email: `x-${h.tag}@fuzz.test`, campaignId: `fuzz-${h.tag}` }), ok: [200, 201] },
    { route: 'POST /v1/leads/:id/events', role: 'marketing', method: 'POST', url: () => `/v1/leads/${NO_LEAD}/events`, valid: () => ({ type: 'page_view', properties: { page: 'pricing' } }), ok: [404] },
    { route: 'POST /v1/events', role: 'marketing', method: 'POST', url: () => '/v1/events', valid: () => ({ events: [{ leadId: NO_LEAD, type: 'email_open' }] }), ok: [202] },
    { route: 'POST /v1/leads/:id/contact', role: 'sales', method: 'POST', url: () => `/v1/leads/${NO_LEAD}/contact`, valid: () => ({ rep: 'rep@sales.test', channel: 'call', note: 'n' }), ok: [404] },
    { route: 'POST /v1/leads/:id/accept', role: 'sales', method: 'POST', url: () => `/v1/leads/${NO_LEAD}/accept`, valid: () => ({ rep: 'r', bant: { budget: true, authority: true, need: true, timeline: true }, note: 'n' }), ok: [404] },
    { route: 'POST /v1/leads/:id/reject', role: 'sales', method: 'POST', url: () => `/v1/leads/${NO_LEAD}/reject`, valid: () => ({ rep: 'r', reason: 'no_budget', note: 'n', disqualify: false }), ok: [404] },
    { route: 'PUT /v1/campaigns/:id', role: 'marketing', method: 'PUT', url: () => `/v1/campaigns/fuzz-${h.tag}-c`, valid: () => ({ name: 'C', steps: [{ id: 's1', delay: '1d', subject: 'S', body: 'B' }], policy: { sla: '24h' } }), ok: [200, 201] },
    { route: 'PUT /v1/scoring-models/:id', role: 'marketing', method: 'PUT', url: () => `/v1/scoring-models/fuzz-${h.tag}-m`, valid: () => ({ behavior: [{ id: 'v', event: 'page_view', points: 1 }], behaviorWindow: '30d', mql: { threshold: 50 } }), ok: [200, 201] },
  ];

  for (const r of BODY_ROUTES) {
    it(`${r.route}: random JSON bodies → 4xx, never a 500`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(r.valid())), anyString), anyValue, { maxKeys: 6 })), async (body) => {
          const res = await send(r.route, r.role, r.method, r.url(), body);
          if (!r.ok.includes(res.statusCode)) expect(res.statusCode).toBeGreaterThanOrEqual(400);
        }),
        { numRuns: RUNS },
      );
    });

    it(`${r.route}: one field replaced by anything → accepted, or a 4xx naming that field`, async () => {
      const valid = r.valid();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...Object.keys(valid)), anyValue, async (field, value) => {
          const res = await send(r.route, r.role, r.method, r.url(), { ...valid, [field]: value });
          if (r.ok.includes(res.statusCode)) return;
          if (res.statusCode === 413) return; // a megabyte string: the body is over the limit
          // Prototype poisoning is refused by the JSON parser, before any field is looked at.
          if (res.json().error.code === 'malformed_json' && /"(__proto__|constructor)"/.test(JSON.stringify(value))) return;
          // 400 for a value of the wrong shape, 422 for a well-formed reference to nothing (campaignId).
          expect([[400, 'validation_failed'], [422, 'unknown_reference']]).toContainEqual([res.statusCode, res.json().error.code]);
          expect(fieldsNamed(res).some(names(field))).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it(`${r.route}: malformed JSON text → 400`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.jsonValue().map((v) => `${JSON.stringify(v)}}`)), async (text) => {
          fc.pre(!isJson(text));
          const res = await send(r.route, r.role, r.method, r.url(), text, true);
          expect(res.statusCode).toBe(400);
        }),
        { numRuns: Math.ceil(RUNS / 4) },
      );
    });
  }

  it('POST /v1/leads: accepted leads are stored as given (trimmed), rejected ones not at all', async () => {
    let n = 0;
    const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ name: optional(anyString), company: optional(anyString), title: optional(anyString), industry: optional(anyString), attributes: optional(fc.dictionary(anyString, anyValue, { maxKeys: 3 })) }),
        async (fields) => {
          const email = `rt${n++}-${h.tag}@fuzz.test`;
          const body = Object.fromEntries(Object.entries({ email: `  ${email.toUpperCase()} `, campaignId: `fuzz-${h.tag}`, ...fields }).filter(([, v]) => v !== undefined));
          const res = await send('POST /v1/leads (round trip)', 'marketing', 'POST', '/v1/leads', body);
          const stored = await h.pool.query('SELECT lead_id FROM leads WHERE email_normalized = $1', [email]);
          if (res.statusCode !== 201) {
            expect([400, 413]).toContain(res.statusCode);
            expect(stored.rows).toEqual([]);
            return;
          }
          expect(stored.rows).toEqual([{ lead_id: res.json().leadId }]);
          const lead = (await send('GET /v1/leads/:id', 'ops', 'GET', `/v1/leads/${res.json().leadId}`)).json();
          expect(lead.email).toBe(email.toUpperCase());
          for (const key of ['name', 'company', 'title'] as const) expect([key, lead[key]]).toEqual([key, typeof fields[key] === 'string' ? fields[key].trim() : null]);
          if (typeof fields.industry === 'string') expect(lead.attributes.industry).toBe(fields.industry.trim());
          const known = new Set(['emailDomain', 'title', 'employees', 'industry', 'country', 'source']);
          for (const [k, v] of Object.entries(fields.attributes ?? {})) if (!known.has(k)) expect([k, lead.attributes[k]]).toEqual([k, v]);
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('POST /v1/leads/:id/events: accepted events are stored as given, rejected ones not at all', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(anyString, anyValue, { maxKeys: 4 }), async (properties) => {
        const eventId = `ev${n++}-${h.tag}`;
        const res = await send('POST /v1/leads/:id/events (round trip)', 'marketing', 'POST', `/v1/leads/${leadId}/events`, { eventId, type: 'page_view', properties });
        const { rows } = await h.pool.query('SELECT properties FROM lead_events WHERE event_id = $1', [eventId]);
        // As sent on the wire: JSON has no -0 (it goes out as 0).
        if (res.statusCode === 202) expect(rows).toEqual([{ properties: JSON.parse(JSON.stringify(properties)) }]);
        else {
          expect([400, 413]).toContain(res.statusCode);
          expect(rows).toEqual([]);
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('path and query parameters: random values → 4xx or an answer, never a 500', async () => {
    // Already percent-encoded: invalid UTF-8, NUL, lone '%'. Everything else is encoded as a client would.
    const RAW = ['%ED%A0%80', '%FF%FE', '%00', '%', '%%', '%E0%A4%A', '%2e%2e%2f'];
    // A client can only percent-encode well-formed text: lone surrogates become U+FFFD first.
    const wellFormed = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed();
    const enc = (s: string) => (RAW.includes(s) ? s : encodeURIComponent(wellFormed(s)));
    const paths: [string, ApiRole | null, string, (s: string, t: string) => string][] = [
      ['GET /v1/leads/:id', 'ops', 'GET', (s) => `/v1/leads/${enc(s)}`],
      ['DELETE /v1/leads/:id', 'ops', 'DELETE', (s) => `/v1/leads/${enc(s)}`],
      ['POST /v1/leads/:id/unsubscribe', 'marketing', 'POST', (s) => `/v1/leads/${enc(s)}/unsubscribe`],
      ['GET /v1/leads?…', 'sales', 'GET', (s, t) => `/v1/leads?${enc(s)}=${enc(t)}`],
      ['GET /v1/leads?filters', 'sales', 'GET', (s, t) => `/v1/leads?stage=${enc(s)}&owner=${enc(t)}&limit=${enc(s)}&cursor=${enc(t)}`],
      ['GET /v1/campaigns/:id/versions/:v', 'ops', 'GET', (s, t) => `/v1/campaigns/${enc(s)}/versions/${enc(t)}`],
      ['GET /v1/scoring-models/:id', 'ops', 'GET', (s) => `/v1/scoring-models/${enc(s)}`],
      ['GET /v1/reports/funnel?…', 'ops', 'GET', (s, t) => `/v1/reports/funnel?from=${enc(s)}&to=${enc(t)}&tz=${enc(s)}&benchmark=${enc(t)}`],
      ['GET /v1/reports/sla?…', 'ops', 'GET', (s, t) => `/v1/reports/sla?${enc(s)}=${enc(t)}`],
      ['GET /t/o/:token', null, 'GET', (s) => `/t/o/${enc(s)}`],
      ['GET /t/c/:token', null, 'GET', (s, t) => `/t/c/${enc(s)}.${enc(t)}`],
      ['POST /u/:token', null, 'POST', (s) => `/u/${enc(s)}`],
    ];
    const short = fc.oneof(anyString.filter((s) => s.length < 5000), fc.uuid(), fc.constantFrom('0', '-1', '1e9', 'NaN', 'true', '..', '/', ...RAW));
    for (const [route, role, method, url] of paths) {
      await fc.assert(
        fc.asyncProperty(short, short, async (s, t) => {
          const res = await send(route, role, method, url(s, t));
          expect(res.statusCode).toBeLessThan(500);
          if (route.startsWith('GET /t/') || route.startsWith('POST /u/')) expect(res.statusCode).toBeGreaterThanOrEqual(400);
          if (route.startsWith('GET /t/c')) expect(res.headers.location).toBeUndefined();
        }),
        { numRuns: RUNS },
      );
    }
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
