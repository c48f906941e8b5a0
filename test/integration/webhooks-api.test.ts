// The webhook routes' contract: ops only, hostile input answered 400 naming the field (never a 500),
// https to public hosts only unless WEBHOOK_ALLOW_PRIVATE, secrets shown once, unknown ids 404.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startWebhookStack, type WebhookStack } from './webhooks-support';

describe('webhook routes', () => {
  let s: WebhookStack;
  let production: FastifyInstance;
  beforeAll(async () => {
    s = await startWebhookStack('webhooks-api');
    production = await s.appWith(false);
  });
  afterAll(async () => s?.stop());

  const valid = { url: 'https://crm.example.com/hooks/leadloop', events: ['lead.mql', 'lead.sql'] };
  const post = (body: unknown, app = production) => s.call('ops', 'POST', '/v1/webhooks', body, app);

  it('refuses private, loopback and link-local targets and http without WEBHOOK_ALLOW_PRIVATE, naming url', async () => {
    for (const url of [
      'https://127.0.0.1/hook', 'https://localhost/hook', 'https://app.localhost/x', 'https://[::1]/hook', 'https://10.1.2.3/hook', 'https://192.168.0.10/',
      'https://172.16.5.4/', 'https://169.254.169.254/latest/meta-data', 'https://[fd12:3456::1]/', 'https://[fe80::1]/', 'https://[::ffff:127.0.0.1]/',
      'https://0.0.0.0/', 'https://crm/', 'https://2130706433/', 'http://crm.example.com/hook', 'ftp://crm.example.com/', 'https://user:pw@crm.example.com/',
      'not a url', `https://crm.example.com/${'a'.repeat(2000)}`, '',
    ]) {
      const res = await post({ ...valid, url });
      expect([url, res.statusCode, res.json().error.code]).toEqual([url, 400, 'validation_failed']);
      expect([url, res.json().error.details[0]]).toEqual([url, expect.objectContaining({ in: 'body', field: 'url' })]);
    }
    // With WEBHOOK_ALLOW_PRIVATE (tests, npm run dev) a loopback http receiver is fine.
    const local = await s.call('ops', 'POST', '/v1/webhooks', { ...valid, url: 'http://127.0.0.1:9/hook' });
    expect(local.statusCode).toBe(201);
    expect((await s.call('ops', 'DELETE', `/v1/webhooks/${local.json().id}`)).statusCode).toBe(204);
  });

  it('answers bad events, descriptions and unknown fields with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, events: ['lead.bogus'] }, 'events.0'],
      [{ ...valid, events: [] }, 'events'],
      [{ ...valid, events: 'lead.mql' }, 'events'],
      [{ ...valid, events: ['lead.mql', 'lead.mql'] }, 'events'],
      [{ ...valid, description: 'two\nlines' }, 'description'],
      [{ ...valid, description: '\u202eevil' }, 'description'],
      [{ ...valid, description: 'x'.repeat(201) }, 'description'],
      [{ ...valid, secret: 'whsec_mine' }, 'secret'],
      [{ ...valid, url: 42 }, 'url'],
      [{ events: valid.events }, 'url'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect([field, res.statusCode, res.json().error.details?.[0]]).toEqual([field, 400, expect.objectContaining({ in: 'body', field })]);
    }
  });

  it('creates, lists without secrets, and deletes; only ops may', async () => {
    const created = await post({ ...valid, description: 'Salesforce' });
    expect(created.statusCode).toBe(201);
    const { id, secret } = created.json();
    expect(Object.keys(created.json()).sort()).toEqual(['id', 'secret']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await s.call('ops', 'GET', '/v1/webhooks', undefined, production);
    const item = list.json().items.find((w: { id: string }) => w.id === id);
    expect(item).toEqual({ id, url: valid.url, events: valid.events, description: 'Salesforce', status: 'active', disabledReason: null, createdAt: expect.any(String), disabledAt: null });
    expect(JSON.stringify(list.json())).not.toContain(secret.slice(6));
    expect((await s.call('ops', 'GET', `/v1/webhooks/${id}/deliveries`, undefined, production)).json()).toEqual({ items: [], nextCursor: null });

    for (const role of ['marketing', 'sales', 'manager'] as const) {
      expect([role, (await s.call(role, 'POST', '/v1/webhooks', valid, production)).statusCode]).toEqual([role, 403]);
      expect([role, (await s.call(role, 'GET', '/v1/webhooks', undefined, production)).statusCode]).toEqual([role, 403]);
      expect([role, (await s.call(role, 'DELETE', `/v1/webhooks/${id}`, undefined, production)).statusCode]).toEqual([role, 403]);
    }
    expect((await s.call('ops', 'DELETE', `/v1/webhooks/${id}`, undefined, production)).statusCode).toBe(204);
    expect((await s.call('ops', 'DELETE', `/v1/webhooks/${id}`, undefined, production)).statusCode).toBe(404);
  });

  it('answers unknown or malformed ids with 404 and bad queries with 400', async () => {
    const none = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [
      ['GET', `/v1/webhooks/${none}/deliveries`], ['GET', '/v1/webhooks/nope/deliveries'], ['DELETE', '/v1/webhooks/%00'],
      ['POST', `/v1/webhooks/${none}/deliveries/1/retry`], ['POST', `/v1/webhooks/${none}/deliveries/99999999999999999999999/retry`], ['POST', `/v1/webhooks/${none}/deliveries/-1/retry`],
    ] as const) {
      const res = await s.call('ops', method, url, undefined, production);
      expect([method, url, res.statusCode]).toEqual([method, url, 404]);
    }
    const { id } = (await post(valid)).json();
    for (const q of ['status=lost', 'limit=0', 'limit=501', 'cursor=abc', 'extra=1']) {
      const res = await s.call('ops', 'GET', `/v1/webhooks/${id}/deliveries?${q}`, undefined, production);
      expect([q, res.statusCode]).toEqual([q, 400]);
    }
    await s.call('ops', 'DELETE', `/v1/webhooks/${id}`, undefined, production);
  });

  it('publishes the routes in a valid OpenAPI document', async () => {
    const doc = (await s.call('ops', 'GET', '/openapi.json', undefined, production)).json();
    for (const [path, method] of [['/v1/webhooks', 'post'], ['/v1/webhooks', 'get'], ['/v1/webhooks/{id}', 'delete'], ['/v1/webhooks/{id}/deliveries', 'get'], ['/v1/webhooks/{id}/deliveries/{deliveryId}/retry', 'post']]) {
      expect([path, method, doc.paths[path]?.[method]?.tags]).toEqual([path, method, ['webhooks']]);
    }
    expect(Object.keys(doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema.properties).sort()).toEqual(['description', 'events', 'url']);
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc));
      const cli = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
      expect(execFileSync(process.execPath, [cli, join(dir, 'openapi.json')], { encoding: 'utf8' })).toMatch(/"valid": true/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
