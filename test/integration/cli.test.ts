// The `leadloop` CLI on the run's real servers: CSV import (in-process and as a child process),
// rejects with line numbers, idempotent re-import, `lead` and `seed-demo`, and readable errors.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { putCampaign } from '../../src/catalog/store';
import { campaignBodySchema } from '../../src/catalog/schemas';
import { importLeads, rejectsPathFor } from '../../src/cli/import';
import { createProgress } from '../../src/cli/progress';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { workflowIdFor } from '../../src/temporal/client';
import { eventually, testEnv, uid, useDevServerStack } from '../support/harness';

const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = join(PROJECT_ROOT, 'src', 'cli', 'index.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('leadloop CLI', () => {
  const stack = useDevServerStack('cli');
  const tag = uid();
  const campaignId = `cli-${tag}`;
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-cli-'));
  const email = (name: string) => `${name}-${tag}@import.test`;

  function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile(
        TSX,
        [CLI, ...args],
        {
          cwd: PROJECT_ROOT,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: process.env.HOME,
            DATABASE_URL: testEnv.databaseUrl,
            TEMPORAL_ADDRESS: testEnv.temporalAddress,
            TEMPORAL_TASK_QUEUE: stack.taskQueue,
            ...env,
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  beforeAll(async () => {
    await putCampaign(
      stack.pool,
      campaignId,
      campaignBodySchema.parse({
        name: 'CLI import test',
        steps: [{ id: 'welcome', delay: '0s', subject: 'ようこそ、{{name}}さん', body: 'こんにちは {{name}} さん' }],
        policy: { owners: [`owner-${tag}@sales.test`], manager: `manager-${tag}@sales.test` },
      }),
    );
  });

  const valid = [email('yamada'), email('multi'), email('smith'), email('last')];
  const csv = [
    'email,name,company,title,employees,utm_source,usesCompetitor',
    `${valid[0]},山田 太郎,株式会社テスト,情報システム部長,"1,200",webinar,true`,
    `${valid[1]},"Multi Line","株式会社`,
    `改行テスト",Engineer,30,,`,
    `not-an-email,田中 花子,会社,,,,`,
    `${valid[2]},John Smith,Acme,CTO,500,ads,false`,
    `many-${tag}@import.test,佐藤,会社,,many,,`,
    `,名無し,会社,,,,`,
    `short-${tag}@import.test,too few`,
    `  ${valid[0]!.toUpperCase()} ,山田 again,,,,,`,
    '',
    `${valid[3]},最後の人,最後株式会社,部長,10,,`,
  ].join('\n');

  it('imports valid rows, rejects invalid ones with line numbers, and is idempotent', async () => {
    const file = join(dir, 'leads.csv');
    writeFileSync(file, `\ufeff${csv}\n`);
    const progressLines: string[] = [];
    const progress = createProgress({ write: (s) => (progressLines.push(s), true), isTTY: false }, { label: 'import', intervalMs: 0 });

    const result = await importLeads(stack.deps, file, { campaignId, concurrency: 4, progress });
    expect(result).toMatchObject({ total: 9, created: 4, existing: 0, invalid: 5, failed: 0, campaign: { id: campaignId, version: 1 }, model: { id: 'default' } });
    expect(result.rejects.map((r) => r.line)).toEqual([5, 7, 8, 9, 10]);
    expect(result.rejects[0]!.error).toMatch(/^email: /);
    expect(result.rejects[1]!.error).toContain('employees: must be a whole number, got "many"');
    expect(result.rejects[3]!.error).toBe('expected 7 columns as in the header row, found 2');
    expect(result.rejects[4]!.error).toBe('email: the same email as line 2');
    // Progress: plain lines (not a TTY) with counts, rate and ETA; the last one complete.
    expect(progressLines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
    expect(progressLines[progressLines.length - 1]).toMatch(/^import 9\/9 100% \[#+\] \d+ rows\/s {2}ETA 0s {2}created 4 · existing 0 · invalid 5/);

    // The rejects file: the original columns and values (UTF-8, BOM kept), plus line and error.
    expect(result.rejectsFile).toBe(rejectsPathFor(file));
    const rejectsText = readFileSync(rejectsPathFor(file), 'utf8');
    expect(rejectsText.charCodeAt(0)).toBe(0xfeff);
    const rejects = parse(rejectsText, { bom: true, columns: true }) as Record<string, string>[];
    expect(rejects.map((r) => r.line)).toEqual(['5', '7', '8', '9', '10']);
    expect(rejects[0]).toMatchObject({ email: 'not-an-email', name: '田中 花子', error: expect.stringMatching(/^email: /) });
    expect(Object.keys(rejects[0]!)).toEqual(['email', 'name', 'company', 'title', 'employees', 'utm_source', 'usesCompetitor', 'line', 'error']);

    // PostgreSQL: exactly the valid rows, Japanese text intact, typed attributes.
    const { rows } = await stack.pool.query('SELECT * FROM leads WHERE email_normalized = ANY($1) ORDER BY email', [valid]);
    expect(rows).toHaveLength(4);
    const yamada = rows.find((r) => r.email === valid[0])!;
    expect(yamada).toMatchObject({ name: '山田 太郎', company: '株式会社テスト', campaign_id: campaignId, campaign_version: 1, utm: { source: 'webinar' } });
    expect(yamada.attributes).toMatchObject({ employees: 1200, usesCompetitor: true, title: '情報システム部長' });
    expect(rows.find((r) => r.email === valid[1])!.company).toBe('株式会社\n改行テスト');
    expect(rows.find((r) => r.email === valid[2])!.attributes.usesCompetitor).toBe(false);

    // Temporal: one running workflow per lead, and the worker sends each its welcome email.
    const runIds = new Map<string, string>();
    for (const row of rows) {
      const d = await stack.client.workflow.getHandle(workflowIdFor(row.lead_id)).describe();
      expect(d.status.name).toBe('RUNNING');
      expect(d.taskQueue).toBe(stack.taskQueue);
      runIds.set(row.lead_id, d.runId);
    }
    await stack.sink.waitFor((all) => valid.every((e) => all.some((m) => m.to.includes(e))), 30_000, 'welcome emails');
    expect(stack.sink.to(valid[0]!)[0]!.subject).toBe('ようこそ、山田 太郎さん');

    // Again: nothing new anywhere.
    const again = await importLeads(stack.deps, file, { campaignId, concurrency: 4 });
    expect(again).toMatchObject({ total: 9, created: 0, existing: 4, invalid: 5, started: 0, pending: 0 }); // nothing new: not even a signal
    // One known lead with a changed attribute: stored, and only its workflow is told.
    const changed = join(dir, 'changed.csv');
    writeFileSync(changed, `email,title\n${valid[2]},CEO\n${valid[3]},部長\n`);
    expect(await importLeads(stack.deps, changed, { campaignId })).toMatchObject({ created: 0, existing: 2, started: 1 });
    const count = await stack.pool.query('SELECT count(*)::int AS n FROM leads WHERE campaign_id = $1', [campaignId]);
    expect(count.rows[0].n).toBe(4);
    for (const [leadId, runId] of runIds) {
      expect((await stack.client.workflow.getHandle(workflowIdFor(leadId)).describe()).runId).toBe(runId);
    }
    let runs = 0;
    for await (const _ of stack.client.workflow.list({ query: `WorkflowId = "${workflowIdFor(yamada.lead_id)}"` })) runs++;
    expect(runs).toBe(1);
  });

  it('runs as a command: import with rejects (exit 2), lead, readable errors', async () => {
    const file = join(dir, 'small.csv');
    writeFileSync(file, `Email,Name,Company\n${email('child1')},鈴木 一郎,子プロセス株式会社\nbroken,x,y\n${email('child2')},Jane Doe,Example\n`);
    const run = await cli(['import', file, '--campaign', campaignId]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`Imported ${file} into campaign '${campaignId}' v1`);
    expect(run.stdout).toMatch(/created: +2\n/);
    expect(run.stdout).toMatch(/invalid: +1\n/);
    expect(run.stdout).toContain(`rejects:   ${file}.rejects.csv`);
    expect(run.stderr).toMatch(/^line 3: email: /m);
    expect(run.stderr).toMatch(/store 3\/3 100% .* rows\/s {2}ETA 0s/);
    expect(run.stderr).toMatch(/start 2\/2 100% .* rows\/s {2}ETA 0s {2}created 2/);
    expect(run.stdout).toMatch(/workflows: 2 started or signalled\n/);
    expect(existsSync(`${file}.rejects.csv`)).toBe(true);

    // Fixed file: the rejects file disappears, the two leads are "existing", exit 0.
    writeFileSync(file, `Email,Name,Company\n${email('child1')},鈴木 一郎,子プロセス株式会社\n${email('child2')},Jane Doe,Example\n`);
    const fixed = await cli(['import', file, '-c', campaignId]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/created: +0\n {2}existing: +2 /);
    expect(existsSync(`${file}.rejects.csv`)).toBe(false);

    const lead = await eventually(async () => {
      const r = await cli(['lead', email('child1').toUpperCase()]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/→ nurturing +enrolled/);
      return r;
    });
    expect(lead.stdout).toContain(`${email('child1')}  (鈴木 一郎, 子プロセス株式会社)`);
    expect(lead.stdout).toMatch(/stage: +nurturing \(cycle \d+\)/);
    expect(lead.stdout).toContain(`campaign:      ${campaignId} v1, scoring model default v1`);
    expect(lead.stdout).toMatch(/workflow: +lead-[0-9a-f-]+ \(RUNNING\)/);
    const json = JSON.parse((await cli(['lead', email('child2'), '--json'])).stdout);
    expect(json).toMatchObject({ email: email('child2'), stage: 'nurturing', campaign: { id: campaignId, version: 1 } });

    // Readable errors, never a stack trace.
    const noStack = (r: Run) => expect(r.stderr).not.toMatch(/^\s+at /m);
    const unknownCampaign = await cli(['import', file, '--campaign', 'no-such-campaign']);
    expect(unknownCampaign.code).toBe(1);
    expect(unknownCampaign.stderr).toContain("leadloop: no campaign with id 'no-such-campaign'");
    noStack(unknownCampaign);
    const missingFile = await cli(['import', join(dir, 'nope.csv'), '--campaign', campaignId]);
    expect(missingFile.stderr).toContain('leadloop: no such file:');
    noStack(missingFile);
    writeFileSync(join(dir, 'sjis.csv'), Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x0a]));
    const sjis = await cli(['import', join(dir, 'sjis.csv'), '--campaign', campaignId]);
    expect(sjis.stderr).toContain('is not UTF-8 text');
    noStack(sjis);
    const noEmailColumn = join(dir, 'noemail.csv');
    writeFileSync(noEmailColumn, 'name,company\nx,y\n');
    expect((await cli(['import', noEmailColumn, '--campaign', campaignId])).stderr).toContain('has no "email" column; found: name, company');
    const unknownLead = await cli(['lead', `nobody-${tag}@import.test`]);
    expect(unknownLead).toMatchObject({ code: 1, stderr: `leadloop: no lead with email nobody-${tag}@import.test\n` });
    const noDb = await cli(['lead', 'x'], { DATABASE_URL: '', LEADLOOP_DATA_DIR: dir });
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toContain('DATABASE_URL: required by the CLI');
    const badTemporal = await cli(['lead', 'x'], { TEMPORAL_ADDRESS: 'not an address' });
    expect(badTemporal.stderr).toContain('TEMPORAL_ADDRESS: must be host:port');
    noStack(badTemporal);
  });

  it('seed-demo makes a demo campaign with leads and events, once', async () => {
    const first = await cli(['seed-demo', '--leads', '25']);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/seed-demo 25\/25 100%/);
    expect(first.stdout).toMatch(/^Seeded campaign 'demo' v1: 25 demo leads \(25 new\), \d+ new events\./);
    const counts = async () =>
      (
        await stack.pool.query(
          `SELECT count(DISTINCT l.lead_id)::int AS leads, count(e.event_id)::int AS events
             FROM leads l LEFT JOIN lead_events e ON e.lead_id = l.lead_id WHERE l.campaign_id = 'demo'`,
        )
      ).rows[0] as { leads: number; events: number };
    const before = await counts();
    expect(before.leads).toBe(25);
    expect(before.events).toBeGreaterThan(25);
    const demo = await stack.pool.query("SELECT policy FROM campaign_versions WHERE campaign_id = 'demo'");
    expect(demo.rows).toHaveLength(1);
    expect(demo.rows[0].policy.owners).toHaveLength(3);
    // Some demo leads earn MQL and are handed to an owner.
    await eventually(async () => {
      const { rows } = await stack.pool.query("SELECT count(*)::int AS n FROM leads WHERE campaign_id = 'demo' AND stage = 'mql' AND owner IS NOT NULL");
      expect(rows[0].n).toBeGreaterThan(0);
    }, 30_000);

    const again = await cli(['seed-demo', '--leads', '25']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('25 demo leads (0 new), 0 new events');
    expect(await counts()).toEqual(before);
  });

  it('import --no-wait stores every row at once; the start relay starts each workflow once, events included', async () => {
    const n = 12;
    const file = join(dir, 'no-wait.csv');
    const emails = Array.from({ length: n }, (_, i) => email(`relay${i}`));
    writeFileSync(file, ['email,name,title,employees', ...emails.map((e, i) => `${e},Relay ${i},IT Director,300`)].join('\n'));
    const result = await importLeads(stack.deps, file, { campaignId, wait: false });
    expect(result).toMatchObject({ total: n, created: n, started: 0, pending: n });
    const { rows: stored } = await stack.pool.query<{ lead_id: string; email: string }>(
      'SELECT lead_id, email FROM leads WHERE email = ANY ($1) AND workflow_started_at IS NULL',
      [emails],
    );
    expect(stored).toHaveLength(n);
    // The rows come back in no particular order: the lead is looked up by its email.
    const leadId0 = stored.find((r) => r.email === emails[0])!.lead_id;
    // Nothing started yet: no workflow, no email.
    await expect(stack.client.workflow.getHandle(workflowIdFor(leadId0)).describe()).rejects.toThrow();
    expect(stack.sink.to(emails[0]!)).toHaveLength(0);
    // An event arrives for a lead that is stored but not started: kept, and delivered after the start.
    const { recordEvent } = await import('../../src/leads/record-events');
    await recordEvent(stack.deps, leadId0, { eventId: `ev-${tag}-relay`, type: 'demo_request' });

    const { startPendingLeads } = await import('../../src/leads/start-relay');
    // Within the grace period the rows are left to the import that stored them.
    expect(await startPendingLeads(stack.deps, { graceMs: 60_000 })).toBe(0);
    expect(await startPendingLeads(stack.deps, { graceMs: 0, batch: 5 })).toBe(5);
    let total = 5;
    for (let pass = 0; pass < 5; pass++) total += await startPendingLeads(stack.deps, { graceMs: 0, batch: 5 });
    expect(total).toBeGreaterThanOrEqual(n); // other tests' leads in this database may be pending too
    const { rows: left } = await stack.pool.query('SELECT count(*)::int AS n FROM leads WHERE email = ANY ($1) AND workflow_started_at IS NULL', [emails]);
    expect(left[0].n).toBe(0);
    await stack.sink.waitFor((all) => emails.every((e) => all.some((m) => m.to.includes(e))), 30_000, 'welcome emails after the relay');
    for (const e of emails) expect(stack.sink.to(e)).toHaveLength(1);
    const lead0 = stack.client.workflow.getHandle(workflowIdFor(leadId0));
    await eventually(async () => {
      const state = (await lead0.query('getState')) as { score: { breakdown: { eventId?: string }[] } };
      expect(state.score.breakdown.map((line) => line.eventId)).toContain(`ev-${tag}-relay`);
    });
    // Nothing left: another pass starts nothing, and importing the file again creates nothing.
    const again = await importLeads(stack.deps, file, { campaignId });
    expect(again).toMatchObject({ created: 0, existing: n, started: 0, pending: 0 });
  });
});
