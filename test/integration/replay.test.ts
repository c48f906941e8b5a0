// Replays recorded histories (test/fixtures/histories, recorded from the dev-server tests with
// RECORD_HISTORIES=1) against today's workflow bundle: a change that breaks determinism for leads
// already running in production fails here. Such a change needs patched(), not new fixtures.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LEAD_RUN_REVISION, OLDEST_LEAD_RUN_REVISION } from '../../workflows/revision';
import { testEnv } from '../support/harness';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'histories');

describe('replaying recorded lead histories', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

  it('has fixtures of every revision a run may be on, covering handoff, recycling and continue-as-new', () => {
    for (let revision = OLDEST_LEAD_RUN_REVISION; revision <= LEAD_RUN_REVISION; revision++) {
      const of = files.filter((f) => f.startsWith(`rev${revision}-`));
      expect(of.some((f) => f.startsWith(`rev${revision}-handoff-accept`))).toBe(true);
      expect(of.some((f) => f.startsWith(`rev${revision}-reject-recycle-requalify`))).toBe(true);
      expect(of.filter((f) => f.startsWith(`rev${revision}-continue-as-new`)).length).toBeGreaterThanOrEqual(2);
    }
    // Fixtures of retired revisions go with their code (docs/operations.md).
    expect(files.filter((f) => !/^rev\d+-/.test(f) || Number(/^rev(\d+)-/.exec(f)![1]) < OLDEST_LEAD_RUN_REVISION)).toEqual([]);
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
