// `npx tsx bench/import-10k.ts [rows] [--wait]`: the speed of `leadloop import` on real servers (not
// part of npm test). By default the first import stores the rows (--no-wait) and the start relay's
// draining of the backlog is timed; --wait makes the import itself start every workflow. Starts an embedded PostgreSQL and a Temporal dev server in a temp folder (or uses
// DATABASE_URL / TEMPORAL_ADDRESS when set), writes a CSV of N rows (default 10,000; 1% invalid),
// imports it, then imports it again (idempotent path) and prints both timings.
// Measured on a 2-core VM (2026-11): the dev server with its SQLite file does ~30 rows/s on the first
// import (Temporal's writes are the bottleneck: PostgreSQL inserts take ~1 ms); `temporal server
// start-dev` in memory ~116 rows/s, with --sqlite-pragma journal_mode=wal,synchronous=normal ~60 rows/s.
// A Temporal cluster (docker-compose, Temporal Cloud) is the target of "10,000 rows in well under a minute".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importLeads } from '../src/cli/import';
import { startPendingLeads } from '../src/leads/start-relay';
import { createProgress } from '../src/cli/progress';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { migrateAndSeed } from '../src/catalog/migrate-and-seed';
import { createPool } from '../src/db/pool';
import { connectClient } from '../src/temporal/client';
import { startDevServer } from '../src/temporal/dev-server';
import { freePort } from '../test/support/free-port';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-bench-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), port: await freePort(), persistent: false });
      stops.unshift(pg.stop);
      databaseUrl = pg.url;
    }
    let address = process.env.TEMPORAL_ADDRESS;
    if (!address) {
      const server = await startDevServer({ dbFile: join(dir, 'temporal.db'), port: await freePort(), uiPort: await freePort() });
      stops.unshift(server.stop);
      address = server.address;
    }
    const pool = createPool(databaseUrl, { max: 40 });
    stops.unshift(() => pool.end());
    await migrateAndSeed(pool);
    const client = await connectClient({ temporal: { address, namespace: 'default', taskQueue: 'bench' } });
    stops.unshift(() => client.connection.close());

    const run = Date.now().toString(36);
    const file = join(dir, 'leads.csv');
    const lines = ['email,name,company,title,employees,source'];
    for (let i = 0; i < rows; i++) {
      lines.push(i % 100 === 99 ? `broken-${i},壊れた行,,,,` : `bench-${run}-${i}@bench.example,山田 ${i},株式会社ベンチ${i % 50},部長,${(i % 900) + 10},bench`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    // A task queue no worker polls: this measures intake (PostgreSQL + signalWithStart), not nurturing.
    const deps = { pool, client, taskQueue: `bench-${run}`, searchAttributes: true };
    const report = (pass: string, result: Awaited<ReturnType<typeof importLeads>>) => {
      const seconds = result.elapsedMs / 1000;
      const stored = result.storeMs / 1000;
      console.log(
        `${pass}: ${result.total} rows stored in ${stored.toFixed(1)} s (${Math.round(result.total / stored)} rows/s), done in ${seconds.toFixed(1)} s: ` +
          `created ${result.created}, existing ${result.existing}, invalid ${result.invalid}, started ${result.started}, pending ${result.pending}`,
      );
      if (result.failed) process.exitCode = 1;
    };
    const progress = { progress: createProgress(process.stderr, { label: 'store' }), startProgress: createProgress(process.stderr, { label: 'start' }) };
    const wait = process.argv.includes('--wait');
    report(wait ? 'first import (waits for every workflow start)' : 'first import, --no-wait', await importLeads(deps, file, { campaignId: 'default', wait, ...progress }));
    if (!wait) {
      // What the worker's start relay does with the backlog --no-wait left: Temporal's start rate.
      const start = Date.now();
      let started = 0;
      for (;;) {
        const n = await startPendingLeads(deps, { graceMs: 0, batch: 500, concurrency: 32 });
        if (n === 0) break;
        started += n;
      }
      const s = (Date.now() - start) / 1000;
      console.log(`start relay: ${started} workflows started in ${s.toFixed(1)} s (${Math.round(started / s)}/s)`);
    }
    report('second import (all known, nothing new)', await importLeads(deps, file, { campaignId: 'default', ...progress }));
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
