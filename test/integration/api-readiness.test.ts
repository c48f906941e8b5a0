// /readyz tells a load balancer the truth: 503 naming what is unreachable, while /healthz stays 200.
// The reasons (hosts, ports, error text) are for an ops key only.
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../../src/api/app';
import { createPool } from '../../src/db/pool';
import { freePort } from '../support/free-port';

const OPS_KEY = 'ops-key-for-readiness-test-0123456789';

describe('readiness when dependencies are down', () => {
  it('answers 503 naming PostgreSQL and Temporal, and stays alive', async () => {
    const deadPort = await freePort();
    const pool = createPool(`postgres://nobody:secret@127.0.0.1:${deadPort}/none`, { connectionTimeoutMillis: 1000 });
    // No retry interceptor: the readiness probe must fail fast and leave no call behind.
    const connection = Connection.lazy({ address: `127.0.0.1:${deadPort}`, interceptors: [] });
    const client = new Client({ connection });
    const app = await buildApp({
      pool,
      client,
      taskQueue: 'unused',
      searchAttributes: true,
      apiKeys: [{ role: 'ops', key: OPS_KEY }],
      trackingSecret: undefined,
      publicBaseUrl: undefined,
      temporalUiUrl: undefined,
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as Record<string, unknown>;
      // Public: the names of what fails, nothing about why or where.
      expect(body).toEqual({ status: 'not_ready', failing: ['postgres', 'temporal'], error: { code: 'not_ready', message: 'not ready: postgres, temporal unreachable' } });
      expect(JSON.stringify(body)).not.toContain(String(deadPort));
      // A key of another role, or an unknown one, gets the same public answer.
      const guessed = await fetch(`${base}/readyz`, { headers: { authorization: 'Bearer not-a-key-0123456789abcdef0123456789' } });
      expect(await guessed.json()).toEqual(body);

      const ops = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${OPS_KEY}` } });
      expect(ops.status).toBe(503);
      const detailed = (await ops.json()) as { failing: string[]; components: Record<string, { status: string; detail?: string }> };
      expect(detailed.failing).toEqual(['postgres', 'temporal']);
      expect(Object.keys(detailed.components).sort()).toEqual(['postgres', 'temporal']);
      for (const c of Object.values(detailed.components)) expect(c).toEqual({ status: 'failing', detail: expect.any(String) });
      expect(detailed.components.postgres!.detail).toMatch(/ECONNREFUSED|connect|timeout/i);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
      await pool.end();
      await connection.close().catch(() => {});
    }
  }, 30_000);
});
