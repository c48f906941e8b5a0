// Replays recorded histories (test/fixtures/histories, recorded from the dev-server tests with
// RECORD_HISTORIES=1) against today's workflow bundle: a change that breaks determinism for leads
// already running in production fails here. Such a change needs patched(), not new fixtures.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testEnv } from '../support/harness';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'histories');

describe('replaying recorded lead histories', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

  it('has fixtures covering handoff, recycling and continue-as-new', () => {
    expect(files.some((f) => f.startsWith('handoff-accept'))).toBe(true);
    expect(files.some((f) => f.startsWith('reject-recycle-requalify'))).toBe(true);
    expect(files.filter((f) => f.startsWith('continue-as-new')).length).toBeGreaterThanOrEqual(2);
  });

  it('replays every fixture without a nondeterminism error', async () => {
    const run = await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'replay-histories.ts'), FIXTURES, '--bundle', testEnv.bundlePath], { cwd: ROOT }).catch(
      (err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }),
    );
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1) || '{}') as { replayed: number; failed: number; results: { file: string; ok: boolean; error?: string }[] };
    expect(report.results?.filter((r) => !r.ok)).toEqual([]);
    expect(report.replayed).toBe(files.length);
  }, 60_000);
});
