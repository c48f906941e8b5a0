// Replays recorded workflow histories against the current workflow code and reports per file.
// Usage: tsx scripts/replay-histories.ts [fixturesDir] [--bundle path/to/bundle.js]
// Runs as its own process: the SDK's proto JSON conversion does not work inside Jest's module sandbox.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const bundleAt = args.indexOf('--bundle');
  const bundle = bundleAt >= 0 ? args.splice(bundleAt, 2)[1] : undefined;
  const dir = resolve(args[0] ?? join(__dirname, '..', 'test', 'fixtures', 'histories'));
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }));
  const results: { file: string; ok: boolean; error?: string }[] = [];
  const options = bundle ? { workflowBundle: { codePath: bundle } } : { workflowsPath: require.resolve('../workflows') };
  for await (const result of Worker.runReplayHistories(options, histories)) {
    results.push({ file: result.workflowId, ok: !result.error, ...(result.error ? { error: result.error.message } : {}) });
  }
  process.stdout.write(`${JSON.stringify({ replayed: results.length, failed: results.filter((r) => !r.ok).length, results })}\n`);
  process.exit(results.every((r) => r.ok) && results.length === files.length ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
