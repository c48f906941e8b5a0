// Erase leaves nothing and sticks: the funnel forgets the person, a suppression keeps them from
// being enrolled again, and no workflow run outlives the erase when an enrolment or the start relay
// races it.
import { WorkflowNotFoundError } from '@temporalio/client';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveLeadConfig } from '../../src/catalog/store';
import { importLeads, rejectsPathFor } from '../../src/cli/import';
import { storeLeads, type StoredLead } from '../../src/leads/enrol';
import { startPendingLeads } from '../../src/leads/start-relay';
import { workflowIdFor } from '../../src/temporal/client';
import { eventually, testPool } from '../support/harness';
import { startApiHarness, type ApiHarness } from './api-support';

describe('erase (data subject request)', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness('erase');
  });
  afterAll(async () => h?.stop());

  const email = (name: string) => `${name}-${h.tag}@customer.test`;
  const enrol = (address: string, extra: Record<string, unknown> = {}) =>
    h.call('marketing', 'POST', '/v1/leads', { email: address, name: 'Erase Me', title: 'Director', ...extra });
  const erase = (leadId: string) => h.call('ops', 'DELETE', `/v1/leads/${leadId}`);
  const gone = (leadId: string) =>
    eventually(async () => {
      await expect(h.client.workflow.getHandle(workflowIdFor(leadId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }, 45_000, 500);

  it('takes the lead out of the funnel report (pre-aggregated and direct)', async () => {
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    // Date-only bounds read the pre-aggregated rollup; a bound with a time reads the transitions.
    const ranges = [`from=${day(-1)}&to=${day(2)}`, `from=${day(-1)}T00:00:00Z&to=${day(2)}T00:00:30Z`];
    const leadsCounted = async () =>
      Promise.all(ranges.map(async (range) => (await h.call('marketing', 'GET', `/v1/reports/funnel?${range}&campaignId=default`)).json().totals.leads as number));
    const before = await leadsCounted();
    const created = await enrol(email('funnel'));
    expect(created.statusCode).toBe(201);
    expect(await leadsCounted()).toEqual(before.map((n) => n + 1));
    expect((await erase(created.json().leadId)).statusCode).toBe(204);
    expect(await leadsCounted()).toEqual(before);
  });

  it('suppresses the address: enrolling it again answers 409 suppressed unless consent was renewed', async () => {
    const address = email('suppressed');
    const first = await enrol(address);
    expect(first.statusCode).toBe(201);
    expect((await erase(first.json().leadId)).statusCode).toBe(204);
    // Neither the address nor the lead id is kept: only a keyed hash.
    const { rows: kept } = await h.pool.query('SELECT email_hash FROM lead_suppressions x WHERE x::text ILIKE $1 OR x::text ILIKE $2', [`%${address}%`, `%${first.json().leadId}%`]);
    expect(kept).toHaveLength(0);

    const again = await enrol(`  ${address.toUpperCase()} `);
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'suppressed', details: [{ in: 'body', field: 'email' }] });
    expect((await h.pool.query('SELECT 1 FROM leads WHERE email_normalized = $1', [address])).rowCount).toBe(0);

    // A CSV import skips the row and says why in its rejects file.
    const dir = mkdtempSync(join(tmpdir(), 'erase-'));
    const file = join(dir, 'leads.csv');
    writeFileSync(file, `email,name\n${address},Erase Me\n${email('fresh')},Fresh\n`);
    const imported = await importLeads({ pool: h.pool, client: h.client, taskQueue: h.taskQueue, searchAttributes: true }, file, { campaignId: 'default' });
    expect(imported).toMatchObject({ created: 1, invalid: 1, rejects: [{ line: 2, error: expect.stringContaining('erased on request') }] });
    expect(readFileSync(rejectsPathFor(file), 'utf8')).toContain('erased on request');
    expect((await h.pool.query('SELECT 1 FROM leads WHERE email_normalized = $1', [address])).rowCount).toBe(0);

    const renewed = await enrol(address, { consent: 'renewed' });
    expect(renewed.statusCode).toBe(201);
    expect(renewed.json().leadId).not.toBe(first.json().leadId);
    // Lifted for good: a later enrolment of the same person is an ordinary repeat.
    expect((await enrol(address)).statusCode).toBe(200);
    expect((await h.call('marketing', 'POST', '/v1/leads', { email: address, consent: 'yes' })).statusCode).toBe(400);
  });

  it('leaves no workflow run behind when enrolments and the start relay race the erase', async () => {
    const n = 8;
    const addresses = Array.from({ length: n }, (_, i) => email(`race${i}`));
    const leads: string[] = [];
    // Half started through the API, half only stored (as `import --no-wait` leaves them) for the relay.
    for (const address of addresses.slice(0, n / 2)) leads.push((await enrol(address)).json().leadId);
    const config = await resolveLeadConfig(h.pool, 'default');
    for (const stored of await storeLeads(h.pool, addresses.slice(n / 2).map((address) => ({ email: address })), config)) leads.push((stored as StoredLead).leadId);
    // The start relay runs in the worker process, with a pool of its own: passes back to back meanwhile.
    const relayPool = testPool();
    let racing = true;
    const relay = (async () => {
      while (racing) await startPendingLeads({ pool: relayPool, client: h.client, taskQueue: h.taskQueue, searchAttributes: true }, { graceMs: 0, log: () => {} });
    })();
    const outcomes = await Promise.all(
      addresses.map(async (address, i) => {
        const enrolments = [enrol(address), enrol(address), enrol(address)];
        const erased = await erase(leads[i]!);
        const statuses = (await Promise.all([...enrolments, enrol(address)])).map((r) => r.statusCode);
        return { erased: erased.statusCode, statuses };
      }),
    );
    racing = false;
    await relay;
    await relayPool.end();
    for (const o of outcomes) {
      expect(o.erased).toBe(204);
      // Before the erase: the known lead (200); after it: suppressed (409); in between: the lead was gone (404).
      for (const s of o.statuses) expect([200, 404, 409]).toContain(s);
      expect(o.statuses.at(-1)).toBe(409);
    }
    expect((await h.pool.query('SELECT count(*)::int AS n FROM leads WHERE email_normalized = ANY ($1)', [addresses])).rows[0].n).toBe(0);
    for (const leadId of leads) await gone(leadId);
  });
});
