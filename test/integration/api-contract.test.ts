// The API's contract on real servers: who may call what, how bad input is answered (always a
// documented 4xx in the one error shape), and the OpenAPI document.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ROLES, type ApiRole } from '../../src/config';
import { pathOf, startApiHarness, type ApiHarness } from './api-support';

const NO_LEAD = '00000000-0000-4000-8000-000000000000';

interface RouteCase {
  method: string;
  /** As in the OpenAPI document. */
  path: string;
  url: string;
  allowed: ApiRole[] | 'public';
}

const ROUTES: RouteCase[] = [
  { method: 'POST', path: '/v1/leads', url: '/v1/leads', allowed: ['marketing'] },
  { method: 'GET', path: '/v1/leads', url: '/v1/leads', allowed: ['marketing', 'sales', 'ops', 'manager'] },
  { method: 'GET', path: '/v1/leads/{leadId}', url: `/v1/leads/${NO_LEAD}`, allowed: ['marketing', 'sales', 'ops', 'manager'] },
  { method: 'DELETE', path: '/v1/leads/{leadId}', url: `/v1/leads/${NO_LEAD}`, allowed: ['ops'] },
  { method: 'DELETE', path: '/v1/leads/{leadId}/bounce', url: `/v1/leads/${NO_LEAD}/bounce`, allowed: ['ops'] },
  { method: 'POST', path: '/v1/leads/{leadId}/unsubscribe', url: `/v1/leads/${NO_LEAD}/unsubscribe`, allowed: ['marketing'] },
  { method: 'POST', path: '/v1/leads/{leadId}/events', url: `/v1/leads/${NO_LEAD}/events`, allowed: ['marketing'] },
  { method: 'POST', path: '/v1/events', url: '/v1/events', allowed: ['marketing'] },
  { method: 'POST', path: '/v1/leads/{leadId}/contact', url: `/v1/leads/${NO_LEAD}/contact`, allowed: ['sales', 'manager', 'ops'] },
  { method: 'POST', path: '/v1/leads/{leadId}/accept', url: `/v1/leads/${NO_LEAD}/accept`, allowed: ['sales', 'manager', 'ops'] },
  { method: 'POST', path: '/v1/leads/{leadId}/reject', url: `/v1/leads/${NO_LEAD}/reject`, allowed: ['sales', 'manager', 'ops'] },
  { method: 'PUT', path: '/v1/campaigns/{id}', url: '/v1/campaigns/contract-test', allowed: ['marketing'] },
  { method: 'GET', path: '/v1/campaigns/{id}', url: '/v1/campaigns/no-such', allowed: ['marketing', 'ops'] },
  { method: 'GET', path: '/v1/campaigns/{id}/versions/{version}', url: '/v1/campaigns/default/versions/999', allowed: ['marketing', 'ops'] },
  { method: 'GET', path: '/v1/campaigns', url: '/v1/campaigns', allowed: ['marketing', 'ops'] },
  { method: 'POST', path: '/v1/campaigns/{id}/migrate', url: '/v1/campaigns/no-such/migrate', allowed: ['marketing'] },
  { method: 'PUT', path: '/v1/scoring-models/{id}', url: '/v1/scoring-models/contract-test', allowed: ['marketing'] },
  { method: 'GET', path: '/v1/scoring-models/{id}', url: '/v1/scoring-models/no-such', allowed: ['marketing', 'ops'] },
  { method: 'GET', path: '/v1/scoring-models/{id}/versions/{version}', url: '/v1/scoring-models/default/versions/999', allowed: ['marketing', 'ops'] },
  { method: 'GET', path: '/v1/scoring-models', url: '/v1/scoring-models', allowed: ['marketing', 'ops'] },
  { method: 'GET', path: '/v1/reports/funnel', url: '/v1/reports/funnel', allowed: ['marketing', 'ops'] },
  { method: 'GET', path: '/v1/reports/models', url: '/v1/reports/models?campaignId=no-such', allowed: ['marketing', 'ops'] }, { method: 'GET', path: '/v1/reports/sla', url: '/v1/reports/sla?limit=1', allowed: ['marketing', 'sales', 'ops'] },
  { method: 'PUT', path: '/v1/users/{email}', url: '/v1/users/contract-user@sales.test', allowed: ['ops'] },
  { method: 'GET', path: '/v1/users', url: '/v1/users', allowed: ['ops', 'manager'] },
  { method: 'GET', path: '/v1/users/{email}', url: '/v1/users/nobody@sales.test', allowed: ['ops', 'manager'] },
  { method: 'POST', path: '/v1/users/{email}/keys', url: '/v1/users/nobody@sales.test/keys', allowed: ['ops'] },
  { method: 'GET', path: '/v1/users/{email}/keys', url: '/v1/users/nobody@sales.test/keys', allowed: ['ops'] },
  { method: 'DELETE', path: '/v1/users/{email}/keys/{keyId}', url: '/v1/users/nobody@sales.test/keys/0123456789abcdef', allowed: ['ops'] },
  { method: 'POST', path: '/v1/webhooks', url: '/v1/webhooks', allowed: ['ops'] },
  { method: 'GET', path: '/v1/webhooks', url: '/v1/webhooks', allowed: ['ops'] },
  { method: 'DELETE', path: '/v1/webhooks/{id}', url: '/v1/webhooks/00000000-0000-4000-8000-000000000000', allowed: ['ops'] },
  { method: 'GET', path: '/v1/webhooks/{id}/deliveries', url: '/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries', allowed: ['ops'] },
  { method: 'POST', path: '/v1/webhooks/{id}/deliveries/{deliveryId}/retry', url: '/v1/webhooks/00000000-0000-4000-8000-000000000000/deliveries/1/retry', allowed: ['ops'] },
  { method: 'GET', path: '/metrics', url: '/metrics', allowed: ['ops'] },
  { method: 'GET', path: '/healthz', url: '/healthz', allowed: 'public' },
  { method: 'GET', path: '/readyz', url: '/readyz', allowed: 'public' },
  { method: 'GET', path: '/t/o/{token}', url: '/t/o/x.y', allowed: 'public' },
  { method: 'GET', path: '/t/c/{token}', url: '/t/c/x.y', allowed: 'public' },
  { method: 'GET', path: '/u/{token}', url: '/u/x.y', allowed: 'public' },
  { method: 'POST', path: '/u/{token}', url: '/u/x.y', allowed: 'public' },
];

/** Routes with a JSON body, each with a valid body to break in various ways. */
const BODY_ROUTES: { url: string; role: ApiRole; valid: Record<string, unknown>; wrongType: [string, unknown]; missing: string; long: string }[] = [
  { url: '/v1/leads', role: 'marketing', valid: { email: 'a@b.test' }, wrongType: ['employees', 'many'], missing: 'email', long: 'name' },
  { url: `/v1/leads/${NO_LEAD}/events`, role: 'marketing', valid: { type: 'page_view', properties: { page: 'pricing' } }, wrongType: ['type', 42], missing: 'type', long: 'eventId' },
  { url: '/v1/events', role: 'marketing', valid: { events: [{ leadId: NO_LEAD, type: 'email_open' }] }, wrongType: ['events', 'all'], missing: 'events', long: 'events' },
  { url: `/v1/leads/${NO_LEAD}/contact`, role: 'sales', valid: { rep: 'rep@sales.test', channel: 'call' }, wrongType: ['channel', 'pigeon'], missing: 'channel', long: 'note' },
  { url: `/v1/leads/${NO_LEAD}/accept`, role: 'sales', valid: { rep: 'r', bant: { budget: true, authority: true, need: true, timeline: true } }, wrongType: ['bant', 'yes'], missing: 'bant', long: 'rep' },
  { url: `/v1/leads/${NO_LEAD}/reject`, role: 'sales', valid: { rep: 'r', reason: 'no_budget' }, wrongType: ['reason', 'meh'], missing: 'reason', long: 'note' },
  { url: '/v1/campaigns/contract-test', role: 'marketing', valid: { name: 'C', steps: [{ id: 's1', delay: '1d', subject: 'S', body: 'B' }] }, wrongType: ['steps', {}], missing: 'name', long: 'name' },
  { url: '/v1/scoring-models/contract-test', role: 'marketing', valid: { mql: { threshold: 50 } }, wrongType: ['behaviorWindow', 'soon'], missing: 'mql', long: 'behaviorWindow' },
  { url: '/v1/users/contract-user@sales.test', role: 'ops', valid: { name: 'Contract User', role: 'sales', locale: 'en' }, wrongType: ['capacity', 'many'], missing: 'name', long: 'name' },
];

describe('HTTP API contract (access, input errors, OpenAPI)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness('api-contract');
  });
  afterAll(async () => h?.stop());

  const methodOf = (url: string) => (['/v1/campaigns/', '/v1/scoring-models/', '/v1/users/'].some((p) => url.includes(p)) ? 'PUT' : 'POST');

  it('enforces the access matrix: each role × each route', async () => {
    const seen: string[] = [];
    for (const route of ROUTES) {
      const body = ['POST', 'PUT'].includes(route.method) && !route.url.startsWith('/u/') ? {} : undefined;
      if (route.allowed === 'public') {
        const res = await h.call(null, route.method, route.url, body);
        expect([route.method, route.url, res.statusCode === 401 || res.statusCode === 403]).toEqual([route.method, route.url, false]);
        continue;
      }
      const none = await h.call(null, route.method, route.url, body);
      expect([route.method, route.url, none.statusCode, none.json().error.code]).toEqual([route.method, route.url, 401, 'unauthorized']);
      const wrong = await h.call(null, route.method, route.url, body, { authorization: 'Bearer not-a-key-at-all-000000' });
      expect([route.url, wrong.statusCode]).toEqual([route.url, 401]);
      const basic = await h.call(null, route.method, route.url, body, { authorization: 'Basic bWFya2V0aW5nOng=' });
      expect([route.url, basic.statusCode]).toEqual([route.url, 401]);
      for (const role of API_ROLES) {
        const res = await h.call(role, route.method, route.url, body);
        const allowed = route.allowed.includes(role);
        // An allowed call gets past authorisation (its empty body or unknown id then answers 400/404).
        if (allowed) expect([route.method, route.url, role, [401, 403].includes(res.statusCode)]).toEqual([route.method, route.url, role, false]);
        else expect([route.method, route.url, role, res.statusCode, res.json().error.code]).toEqual([route.method, route.url, role, 403, 'forbidden']);
        expect(res.statusCode).toBeLessThan(500);
        seen.push(`${route.method} ${route.url} ${role} ${res.statusCode}`);
      }
    }
    expect(seen.length).toBe(ROUTES.filter((r) => r.allowed !== 'public').length * API_ROLES.length);
  });

  it('answers malformed JSON, wrong types, missing fields, oversize strings and unknown fields with 400 naming the field', async () => {
    for (const r of BODY_ROUTES) {
      const method = methodOf(r.url);
      const malformed = await h.call(r.role, method, r.url, '{"oops": ', { 'content-type': 'application/json' });
      expect([r.url, malformed.statusCode, malformed.json().error.code]).toEqual([r.url, 400, 'malformed_json']);

      const empty = await h.call(r.role, method, r.url, '', { 'content-type': 'application/json' });
      expect([r.url, empty.statusCode]).toEqual([r.url, 400]);

      const [field, bad] = r.wrongType;
      const wrong = await h.call(r.role, method, r.url, { ...r.valid, [field]: bad });
      expect([r.url, wrong.statusCode, wrong.json().error.code]).toEqual([r.url, 400, 'validation_failed']);
      expect(wrong.json().error.details[0]).toMatchObject({ in: 'body', field: expect.stringMatching(new RegExp(`^${field}`)) });
      expect(wrong.json().error.message).toContain(field);

      const { [r.missing]: _, ...rest } = r.valid;
      const missing = await h.call(r.role, method, r.url, rest);
      expect([r.url, missing.statusCode]).toEqual([r.url, 400]);
      expect(missing.json().error.details.map((d: { field: string }) => d.field)).toContain(r.missing);

      const long = r.long === 'events' ? { events: Array.from({ length: 501 }, () => ({ leadId: NO_LEAD, type: 'email_open' })) } : { ...r.valid, [r.long]: 'x'.repeat(100_001) };
      const oversize = await h.call(r.role, method, r.url, long);
      expect([r.url, oversize.statusCode]).toEqual([r.url, 400]);
      expect(oversize.json().error.details[0].field).toMatch(new RegExp(`^${r.long}`));

      const unknown = await h.call(r.role, method, r.url, { ...r.valid, surprise: 1 });
      expect([r.url, unknown.statusCode]).toEqual([r.url, 400]);
      expect(unknown.json().error.details).toEqual([{ in: 'body', field: 'surprise', message: 'unknown field: surprise' }]);

      const wrongMedia = await h.call(r.role, method, r.url, 'email=a@b.test', { 'content-type': 'application/x-www-form-urlencoded' });
      expect([r.url, wrongMedia.statusCode]).toEqual([r.url, 415]);

      const huge = await h.call(r.role, method, r.url, JSON.stringify({ ...r.valid, padding: 'x'.repeat(1024 * 1024) }), { 'content-type': 'application/json' });
      expect([r.url, huge.statusCode, huge.json().error.code]).toEqual([r.url, 413, 'payload_too_large']);

      // Nested unknown fields are named by their path too.
      const arrays = await h.call(r.role, method, r.url, []);
      expect([r.url, arrays.statusCode]).toEqual([r.url, 400]);
    }
  });

  it('answers unknown ids and bad query strings with the documented 4xx', async () => {
    const cases: [ApiRole, string, string, unknown, number, string][] = [
      ['ops', 'GET', `/v1/leads/${NO_LEAD}`, undefined, 404, 'not_found'],
      ['ops', 'GET', '/v1/leads/not-a-uuid', undefined, 404, 'not_found'],
      ['ops', 'DELETE', '/v1/leads/not-a-uuid', undefined, 404, 'not_found'],
      ['marketing', 'POST', `/v1/leads/${NO_LEAD}/events`, { type: 'email_open' }, 404, 'not_found'],
      ['marketing', 'POST', `/v1/leads/${NO_LEAD}/unsubscribe`, undefined, 404, 'not_found'],
      ['sales', 'POST', `/v1/leads/${NO_LEAD}/contact`, { rep: 'r', channel: 'call' }, 404, 'not_found'],
      ['sales', 'POST', `/v1/leads/${NO_LEAD}/accept`, { rep: 'r', bant: { budget: true, authority: true, need: true, timeline: true } }, 404, 'not_found'],
      ['sales', 'POST', `/v1/leads/${NO_LEAD}/reject`, { rep: 'r', reason: 'other' }, 404, 'not_found'],
      ['ops', 'GET', '/v1/campaigns/no-such', undefined, 404, 'not_found'],
      ['ops', 'GET', '/v1/campaigns/bad%20id', undefined, 404, 'not_found'],
      ['ops', 'GET', '/v1/scoring-models/no-such', undefined, 404, 'not_found'],
      ['ops', 'GET', '/v1/campaigns/default/versions/0', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/campaigns/default/versions/999', undefined, 404, 'not_found'],
      ['marketing', 'POST', '/v1/leads', { email: 'x@y.test', campaignId: 'no-such-campaign' }, 422, 'unknown_reference'],
      ['marketing', 'PUT', '/v1/campaigns/bad%20id', { name: 'C', steps: [] }, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/leads?stage=limbo', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/leads?limit=0', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/leads?limit=abc', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/leads?cursor=garbage', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/leads?color=red', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/nothing-here', undefined, 404, 'not_found'],
      ['manager', 'GET', '/v1/users/nobody@sales.test', undefined, 404, 'unknown_user'],
      ['ops', 'GET', '/v1/users/not-an-email', undefined, 404, 'unknown_user'],
      ['ops', 'PUT', '/v1/users/not-an-email', { name: 'N', role: 'sales', locale: 'ja' }, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/users?limit=501', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/users?cursor=garbage', undefined, 400, 'validation_failed'],
      ['ops', 'GET', '/v1/users?role=admin', undefined, 400, 'validation_failed'],
    ];
    for (const [role, method, url, body, status, code] of cases) {
      const res = await h.call(role, method, url, body);
      expect([method, url, res.statusCode, res.json().error?.code]).toEqual([method, url, status, code]);
      expect(typeof res.json().error.message).toBe('string');
    }
    const wrongQuery = await h.call('ops', 'GET', '/v1/leads?limit=abc');
    expect(wrongQuery.json().error.details[0]).toMatchObject({ in: 'querystring', field: 'limit' });
  });

  it('paginates the lead list with an opaque cursor', async () => {
    const campaignId = `page-${h.tag}`;
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, { name: 'Paging', steps: [] })).statusCode).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await h.call('marketing', 'POST', '/v1/leads', { email: `page${i}-${h.tag}@customer.test`, campaignId });
      expect(res.statusCode).toBe(201);
      ids.push(res.json().leadId);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await h.call('sales', 'GET', `/v1/leads?campaignId=${campaignId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((i: { leadId: string }) => i.leadId));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('publishes a valid OpenAPI 3 document listing every route, and interactive docs', async () => {
    const res = await h.call(null, 'GET', '/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const route of ROUTES) {
      expect([route.method, route.path, Boolean(doc.paths[route.path]?.[route.method.toLowerCase()])]).toEqual([route.method, route.path, true]);
    }
    expect(doc.paths['/v1/leads'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/v1/leads'].post.requestBody.content['application/json'].schema.properties.email).toBeDefined();

    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, res.body);
      const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
      const out = execFileSync(process.execPath, [cli, file], { encoding: 'utf8' });
      expect(out).toMatch(/"valid": true/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const docs = await h.call(null, 'GET', '/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toMatch(/swagger/i);
    expect(pathOf(`${h.baseUrl}/docs`)).toBe('/docs');
  });
});
