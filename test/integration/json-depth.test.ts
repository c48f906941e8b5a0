// Deeply nested JSON (100,000 levels, well within the 1 MB body limit) is refused with 400 on every
// route that takes a JSON body, before any code walks it recursively (a stack overflow was a 500).
import type { ApiRole } from '../../src/config';
import { MAX_JSON_DEPTH } from '../../src/api/json-body';
import { startApiHarness, type ApiHarness } from './api-support';

const LEVELS = 100_000;
const nestedArrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const nestedObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
/** Bodies that are otherwise plausible: the nesting hides in a field. */
const BODIES: [string, string][] = [
  ['top-level arrays', nestedArrays(LEVELS)],
  ['objects in a field', `{"email":"deep@example.test","attributes":${nestedObjects(LEVELS)}}`],
  ['arrays in an event property', `{"events":[{"type":"page_view","properties":{"page":${nestedArrays(LEVELS)}}}]}`],
  ['brackets inside strings do not count, real ones do', `{"name":"${'['.repeat(1000)}","x":${nestedArrays(MAX_JSON_DEPTH + 1)}}`],
];

describe('deeply nested JSON bodies', () => {
  let h: ApiHarness;
  let routes: { method: string; url: string; secured: boolean }[];
  beforeAll(async () => {
    h = await startApiHarness('json-depth');
    // Every operation of the OpenAPI document that takes a body (declared or not: the parser runs whenever one is sent).
    const doc = (await h.call(null, 'GET', '/openapi.json')).json() as { paths: Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> }; description?: string; security?: unknown[] }>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method, op]) => op.requestBody?.content?.['application/json'] || ['post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({
          method: method.toUpperCase(),
          url: path.replace(/\{leadId\}/, '00000000-0000-4000-8000-000000000000').replace(/\{[^}]+\}/g, 'x'),
          secured: Boolean(op.security),
        })),
    );
  });
  afterAll(async () => h?.stop());

  /** Sends `body` with the first role the route admits (auth answers before the body is read). */
  async function send(route: { method: string; url: string; secured: boolean }, body: string) {
    for (const role of route.secured ? (['marketing', 'sales', 'ops'] as ApiRole[]) : [null]) {
      const res = await h.call(role, route.method, route.url, body, { 'content-type': 'application/json' });
      if (res.statusCode !== 403) return res;
    }
    throw new Error(`no role may call ${route.method} ${route.url}`);
  }

  it('finds the JSON routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(12);
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['POST /v1/leads', 'POST /v1/events', 'PUT /v1/campaigns/x', 'POST /u/x', 'DELETE /v1/leads/00000000-0000-4000-8000-000000000000']));
  });

  it.each(BODIES)('%s → 400 json_too_deep on every JSON route, never a 500', async (_what, body) => {
    for (const route of routes) {
      const res = await send(route, body);
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode, code: res.json().error?.code }).toEqual({ route: `${route.method} ${route.url}`, status: 400, code: 'json_too_deep' });
    }
  });

  it('still accepts JSON nested up to the limit, and still refuses malformed JSON and prototype poisoning', async () => {
    const deepButFine = `{"email":"ok-${h.tag}@example.test","attributes":{"a":${nestedObjects(MAX_JSON_DEPTH - 3)}}}`;
    const res = await h.call('marketing', 'POST', '/v1/leads', deepButFine, { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed'); // the schema's answer, not the parser's
    expect((await h.call('marketing', 'POST', '/v1/leads', '{"email":', { 'content-type': 'application/json' })).json().error.code).toBe('malformed_json');
    expect((await h.call('marketing', 'POST', '/v1/leads', '{"__proto__":{"x":1}}', { 'content-type': 'application/json' })).json().error.code).toBe('malformed_json');
    expect((await h.call('marketing', 'POST', '/v1/leads', '', { 'content-type': 'application/json' })).json().error.code).toBe('malformed_json');
  });
});
