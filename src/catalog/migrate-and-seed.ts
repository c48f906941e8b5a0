// `npm run migrate` as a whole: the schema (src/db/migrate.ts), then, under the same lock, the
// catalog the product ships and a report of stored scoring models the pattern engine refuses.
import type { Pool } from 'pg';
import { migrate, type MigrateOptions } from '../db/migrate';
import { refusedPatterns } from './pattern-audit';
import { seedCatalog } from './seed';

export async function migrateAndSeed(pool: Pool, log: (line: string) => void = () => {}, options: Omit<MigrateOptions, 'afterSchema'> = {}): Promise<string[]> {
  return migrate(pool, log, {
    ...options,
    afterSchema: async (client, say) => {
      // The shipped `default` campaign and scoring model exist after every migrate (never overwritten).
      for (const entry of await seedCatalog(client)) say(`seeded ${entry}`);
      // Reported, not changed: versions are immutable, and a refused pattern matches nothing.
      for (const r of await refusedPatterns(client)) {
        say(`warning: scoring model '${r.modelId}' version ${r.version}: ${r.field} ${r.reason} (that rule matches nothing for leads on this version: store a new version and migrate them)`);
      }
    },
  });
}
