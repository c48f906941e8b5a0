// `npm run migrate`: applies pending migrations to DATABASE_URL. Safe to run again.
import { ConfigError, loadConfig } from './config';
import { migrateAndSeed } from './catalog/migrate-and-seed';
import { createPool, poolOptions } from './db/pool';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL: required by migrate']);
  const pool = createPool(config.databaseUrl, poolOptions(config.database));
  try {
    const applied = await migrateAndSeed(pool, (line) => console.log(`[migrate] ${line}`), { reportTimeZone: config.reportTimeZone });
    console.log(applied.length ? `[migrate] ${applied.length} migration(s) applied` : '[migrate] database is up to date');
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `[migrate] ${(err as Error).message}`);
  process.exit(1);
});
