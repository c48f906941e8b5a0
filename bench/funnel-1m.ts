// `npm run bench:funnel [-- --transitions 1000000]`: the funnel report over a million transitions
// (issue: "1,000,000 transitions report in under a second"). Not part of npm test.
// Starts its own embedded PostgreSQL in a temp folder (or uses DATABASE_URL), seeds random but
// plausible lead histories (test/support/random-funnel.ts) over a year, then times:
//   - the funnel from the pre-aggregated tables (migration 004) vs. the direct query over
//     lead_transitions (the baseline, same data, same server, same run), full year and one campaign;
//   - what keeping the aggregates costs the writer: single-row transition inserts (as the workflow's
//     recordTransition activity does them) with the trigger vs. with the trigger disabled.
// Prints ratios; absolute times are context only. Results also go to bench/funnel-results.json.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { withTransaction } from '../src/db/transaction';
import { migrateAndSeed } from '../src/catalog/migrate-and-seed';
import { createPool } from '../src/db/pool';
import { FUNNEL_SQL, funnelReport, type FunnelQuery, type FunnelSource } from '../src/reports/funnel';
import { freePort } from '../test/support/free-port';
import { randomFunnel } from '../test/support/random-funnel';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const CAMPAIGNS = ['webinar-2026', 'ebook-ai', 'pricing-retarget', 'events-tokyo', 'partner-referral'];
const SOURCES = ['web', 'ads', 'event', 'partner', null];

/** Inserts leads and their transitions in batches, as arrays (one statement per batch). */
async function seed(pool: Pool, transitions: number, seedValue: number): Promise<{ leads: number; transitions: number }> {
  let leadsDone = 0;
  let done = 0;
  let batch = 0;
  while (done < transitions) {
    const leads = randomFunnel({ leads: 2_000, campaigns: CAMPAIGNS, sources: SOURCES, start: new Date('2025-01-01T00:00:00Z'), days: 365, seed: seedValue + batch++ });
    const l: unknown[][] = [[], [], [], [], [], [], []];
    const t: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
    for (const lead of leads) {
      const id = crypto.randomUUID();
      const email = `${id}@bench.example`;
      l[0]!.push(id), l[1]!.push(email), l[2]!.push(lead.campaignId), l[3]!.push(lead.source ?? null);
      l[4]!.push(lead.utm ? JSON.stringify(lead.utm) : null), l[5]!.push(lead.stage), l[6]!.push(new Date(lead.steps[0]!.at));
      let cycle = 0;
      let from: string | null = null;
      for (const [i, step] of lead.steps.entries()) {
        if (step.reason === 'recycle_period_over') cycle++;
        t[0]!.push(id), t[1]!.push(i + 1), t[2]!.push(from), t[3]!.push(step.to), t[4]!.push(step.reason), t[5]!.push(cycle);
        t[6]!.push(step.owner ?? null), t[7]!.push(step.rejectionReason ?? null), t[8]!.push(JSON.stringify(step.details ?? {})), t[9]!.push(new Date(step.at));
        from = step.to;
      }
    }
    await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, campaign_id, campaign_version, scoring_model_id, scoring_model_version, source, utm, stage, created_at)
       SELECT id, email, email, c, 1, 'default', 1, s, u::jsonb, st, at
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS x(id, email, c, s, u, st, at)`,
      l,
    );
    await pool.query(
      `INSERT INTO lead_transitions (lead_id, seq, from_stage, to_stage, reason, cycle, score, owner, rejection_reason, details, occurred_at)
       SELECT id, seq, f, tt, r, cy, 80, o, rr, d::jsonb, at
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $10::timestamptz[])
              AS x(id, seq, f, tt, r, cy, o, rr, d, at)`,
      t,
    );
    leadsDone += leads.length;
    done += t[0]!.length;
    if (process.stdout.isTTY) process.stdout.write(`\rseeding: ${done.toLocaleString('en')} transitions, ${leadsDone.toLocaleString('en')} leads`);
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  return { leads: leadsDone, transitions: done };
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<{ medianMs: number; minMs: number }> {
  const times: number[] = [];
  await fn(); // warm the caches and the plan
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: Math.round(times[Math.floor(times.length / 2)]!), minMs: Math.round(times[0]!) };
}

/** Single-row inserts, each in its own transaction, as recordTransition writes them. */
async function singleRowInserts(pool: Pool, n: number): Promise<number> {
  const { rows } = await pool.query<{ lead_id: string; seq: number; campaign_id: string }>(
    `SELECT l.lead_id, max(t.seq)::int AS seq, l.campaign_id FROM leads l JOIN lead_transitions t USING (lead_id) GROUP BY l.lead_id LIMIT $1`,
    [n],
  );
  const start = performance.now();
  for (const r of rows) {
    await pool.query(
      `INSERT INTO lead_transitions (lead_id, seq, from_stage, to_stage, reason, cycle, score, occurred_at)
       VALUES ($1, $2, 'nurturing', 'mql', 'mql', 9, 80, '2025-12-30T10:00:00Z')`,
      [r.lead_id, r.seq + 1],
    );
  }
  const elapsed = performance.now() - start;
  await pool.query(`DELETE FROM lead_transitions WHERE cycle = 9`);
  return elapsed / rows.length;
}

async function main(): Promise<void> {
  const target = arg('transitions', 1_000_000);
  const runs = arg('runs', 5);
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-funnel-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort(), persistent: false });
      stops.unshift(pg.stop);
      databaseUrl = pg.url;
    }
    const pool = createPool(databaseUrl, { max: 8 });
    stops.unshift(() => pool.end());
    await migrateAndSeed(pool);

    const seedStart = performance.now();
    const seeded = await seed(pool, target, 1);
    const seedMs = performance.now() - seedStart;
    await pool.query('VACUUM ANALYZE');
    const daily = (await pool.query<{ n: string }>('SELECT count(*) AS n FROM funnel_daily')).rows[0]!.n;

    const year: FunnelQuery = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z'), tz: 'UTC' };
    const oneCampaign: FunnelQuery = { ...year, campaignId: CAMPAIGNS[0] };
    const quarter: FunnelQuery = { ...year, from: new Date('2025-04-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z') };
    const cases: [string, FunnelQuery][] = [['full year', year], ['one campaign, full year', oneCampaign], ['one quarter', quarter]];
    const results: Record<string, unknown>[] = [];
    for (const [name, q] of cases) {
      const report = (from: FunnelSource) => () => funnelReport(pool, q, 0.3, from);
      const [a, b] = [await report('rollup')(), await report('transitions')()];
      const same = JSON.stringify(a) === JSON.stringify(b);
      const rollup = await timeIt(runs, report('rollup'));
      const direct = await timeIt(runs, report('transitions'));
      results.push({ case: name, rollupMs: rollup.medianMs, directMs: direct.medianMs, speedup: +(direct.medianMs / Math.max(rollup.medianMs, 1)).toFixed(1), sameNumbers: same, mqls: a.totals.mqls });
    }

    if (process.argv.includes('--explain')) {
      const params = [year.from.toISOString(), year.to.toISOString(), null, null, year.tz];
      for (const [name, sql] of Object.entries(FUNNEL_SQL)) {
        const plan = await withTransaction(pool, async (c) => (await c.query("SET LOCAL work_mem = '64MB'"), c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params)));
        console.log(`\n--- ${name} ---\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
      }
    }

    const perRowWith = await singleRowInserts(pool, 2_000);
    await pool.query('ALTER TABLE lead_transitions DISABLE TRIGGER funnel_transitions_insert');
    const perRowWithout = await singleRowInserts(pool, 2_000);
    await pool.query('ALTER TABLE lead_transitions ENABLE TRIGGER funnel_transitions_insert');

    const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: +(totalmem() / 2 ** 30).toFixed(1), node: process.version };
    const pgVersion = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const out = {
      machine, postgres: pgVersion, seeded, seedSeconds: +(seedMs / 1000).toFixed(1), funnelDailyRows: Number(daily), runs,
      reports: results,
      writer: { msPerInsertWithTrigger: +perRowWith.toFixed(2), msPerInsertWithout: +perRowWithout.toFixed(2), ratio: +(perRowWith / perRowWithout).toFixed(2) },
    };
    writeFileSync(join(__dirname, 'funnel-results.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log(`\nmachine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, PostgreSQL ${pgVersion}`);
    console.log(`seeded ${seeded.transitions.toLocaleString('en')} transitions of ${seeded.leads.toLocaleString('en')} leads in ${out.seedSeconds} s; funnel_daily has ${daily} rows\n`);
    console.log('| report | pre-aggregated (median ms) | direct query = baseline (median ms) | speed-up | same numbers |');
    console.log('|---|---:|---:|---:|---|');
    for (const r of results) console.log(`| ${r.case} (${r.mqls} MQLs) | ${r.rollupMs} | ${r.directMs} | ${r.speedup}× | ${r.sameNumbers ? 'yes' : 'NO'} |`);
    console.log(`\nwriter cost: ${out.writer.msPerInsertWithTrigger} ms per single-row transition insert with the trigger, ${out.writer.msPerInsertWithout} ms without (×${out.writer.ratio})`);
    if (results.some((r) => !r.sameNumbers)) process.exitCode = 1;
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
