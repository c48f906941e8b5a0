// `npm run api` and `npm run worker` refuse published secrets and short keys: checked on the rules
// and on the real entry points (they exit before connecting to anything).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { productionConfigProblems } from '../../src/config-production';
import { DEV_API_KEYS, DEV_APP_LINK_SECRET, DEV_TRACKING_SECRET } from '../../src/dev-secrets';
import { PROJECT_ROOT } from '../../src/temporal/binaries';

const strong = (c: string) => c.repeat(40);
const SAFE_KEYS = `marketing:${strong('m')},sales:${strong('s')},ops:${strong('o')}`;
const SAFE = { DATABASE_URL: 'postgres://u:p@127.0.0.1:1/none', API_KEYS: SAFE_KEYS, TRACKING_SECRET: strong('t'), APP_LINK_SECRET: strong('a'), PUBLIC_BASE_URL: 'https://leads.example.com' };
const devKeys = DEV_API_KEYS.map((k) => `${k.role}:${k.key}`).join(',');
const names = (problems: string[]) => problems.map((p) => p.split(':')[0]);

/** Runs an entry point with exactly `env` (plus PATH) and returns its exit code and stderr lines. */
function run(entry: string, env: Record<string, string>): { code: number | null; lines: string[] } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, entry)], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, lines: result.stderr.split('\n').filter((l) => l.startsWith('  - ')) };
}

describe('production configuration', () => {
  it('accepts long, unpublished keys and secrets', () => {
    expect(productionConfigProblems(SAFE, 'api')).toEqual([]);
    expect(productionConfigProblems(SAFE, 'worker')).toEqual([]);
    // A rotation list of tracking keys, newest first.
    expect(productionConfigProblems({ ...SAFE, TRACKING_SECRET: `${strong('n')},${strong('o')}` }, 'worker')).toEqual([]);
  });

  it('refuses the dev keys and tracking secret that `npm run dev` prints', () => {
    expect(names(productionConfigProblems({ ...SAFE, API_KEYS: devKeys, TRACKING_SECRET: DEV_TRACKING_SECRET }, 'api'))).toEqual(['API_KEYS', 'TRACKING_SECRET']);
    expect(productionConfigProblems({ ...SAFE, API_KEYS: devKeys }, 'api')[0]).toMatch(/entry 1 \(marketing\) is a published default.*; entry 2 .*; entry 3/);
  });

  it('refuses the secrets docker-compose.yml used to ship as defaults', () => {
    const compose = 'marketing:compose-marketing-key-01,sales:compose-sales-key-00001,ops:compose-ops-key-000001';
    const problems = productionConfigProblems({ ...SAFE, API_KEYS: compose, TRACKING_SECRET: 'compose-tracking-secret-change-me-0123456789' }, 'api');
    expect(names(problems)).toEqual(['API_KEYS', 'TRACKING_SECRET']);
    expect(problems[1]).toContain('published default');
  });

  it('refuses API keys and each tracking key shorter than 32 characters, never quoting them', () => {
    const short = 'x'.repeat(31);
    const problems = productionConfigProblems({ ...SAFE, API_KEYS: `marketing:${strong('m')},ops:${short}`, TRACKING_SECRET: `${strong('n')},${short}` }, 'api');
    expect(problems).toEqual([
      expect.stringMatching(/^API_KEYS: entry 2 \(ops\) is shorter than 32 characters/),
      expect.stringMatching(/^TRACKING_SECRET: key 2 is shorter than 32 characters/),
    ]);
    expect(problems.join('\n')).not.toContain(short);
  });

  it('refuses the dev APP_LINK_SECRET and a short one, for the API as for the worker', () => {
    expect(names(productionConfigProblems({ ...SAFE, APP_LINK_SECRET: DEV_APP_LINK_SECRET }, 'api'))).toEqual(['APP_LINK_SECRET']);
    expect(productionConfigProblems({ ...SAFE, APP_LINK_SECRET: `${strong('n')},${'x'.repeat(31)}` }, 'worker')).toEqual([expect.stringMatching(/^APP_LINK_SECRET: key 2 is shorter than 32 characters/)]);
  });

  it('requires PUBLIC_BASE_URL, TRACKING_SECRET and APP_LINK_SECRET for the worker (no nurture email without an unsubscribe link, no rep email without its links)', () => {
    expect(names(productionConfigProblems({ DATABASE_URL: SAFE.DATABASE_URL }, 'worker'))).toEqual(['PUBLIC_BASE_URL', 'TRACKING_SECRET', 'APP_LINK_SECRET']);
    // The API still starts without them (/t and /u answer 404).
    expect(productionConfigProblems({ API_KEYS: SAFE_KEYS }, 'api')).toEqual([]);
  });

  it('`npm run api` exits with one line per unsafe variable', () => {
    const { code, lines } = run('src/server.ts', { ...SAFE, API_KEYS: devKeys, TRACKING_SECRET: DEV_TRACKING_SECRET });
    expect(code).not.toBe(0);
    expect(names(lines.map((l) => l.slice(4)))).toEqual(['API_KEYS', 'TRACKING_SECRET']);
    expect(lines.join('\n')).not.toContain(DEV_API_KEYS[0]!.key);
  }, 60_000);

  it('`npm run worker` exits naming the missing PUBLIC_BASE_URL, TRACKING_SECRET and APP_LINK_SECRET', () => {
    const { code, lines } = run('src/worker.ts', { DATABASE_URL: SAFE.DATABASE_URL });
    expect(code).not.toBe(0);
    expect(names(lines.map((l) => l.slice(4)))).toEqual(['PUBLIC_BASE_URL', 'TRACKING_SECRET', 'APP_LINK_SECRET']);
  }, 60_000);
});
