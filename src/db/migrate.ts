// Applies src/db/migrations/*.sql in name order, each once, inside a transaction and under an
// advisory lock so that several processes starting together do not race.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './transaction';

const MIGRATIONS_DIR = join(__dirname, 'migrations');
const LOCK_KEY = 74_021_001;

export interface MigrateOptions {
  /** REPORT_TIME_ZONE: the zone the pre-aggregated funnel is kept in; a change rebuilds it. */
  reportTimeZone?: string;
  /** Runs after the schema, still under the lock (the catalog's seed: src/catalog/migrate-and-seed.ts). */
  afterSchema?: (client: PoolClient, log: (line: string) => void) => Promise<void>;
}

export async function migrate(pool: Pool, log: (line: string) => void = () => {}, options: MigrateOptions = {}): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    // Waiting for another migrator, and rebuilding the funnel rollup, may take longer than a request may.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const files = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    for (const file of files) {
      if (done.has(file)) continue;
      await inTransaction(client, async () => {
        await client.query(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      }).catch((err: Error) => {
        throw new Error(`migration ${file} failed: ${err.message}`);
      });
      applied.push(file);
      log(`applied ${file}`);
    }
    if (options.reportTimeZone) {
      const { rows } = await client.query<{ time_zone: string }>('SELECT time_zone FROM report_settings');
      if (rows[0]?.time_zone !== options.reportTimeZone) {
        await inTransaction(client, async () => {
          await client.query('UPDATE report_settings SET time_zone = $1', [options.reportTimeZone]);
          await client.query('SELECT funnel_rebuild()');
        });
        log(`report time zone set to ${options.reportTimeZone} (funnel rollups rebuilt)`);
      }
    }
    await options.afterSchema?.(client, log);
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    await client.query('RESET statement_timeout').catch(() => {});
    client.release();
  }
}
