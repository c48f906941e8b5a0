// What `npm run api` and `npm run worker` refuse to start with, on top of src/config.ts's syntax
// checks: secrets published in this repository and keys short enough to guess. `npm run dev`
// (local only, with its own printed defaults) does not go through this.
import { ConfigError, parseApiKeys } from './config';
import { DEV_API_KEYS, DEV_APP_LINK_SECRET, DEV_TRACKING_SECRET } from './dev-secrets';

export const MIN_PRODUCTION_SECRET_LENGTH = 32;

/** Defaults earlier versions of docker-compose.yml shipped: public, so never a secret. */
const COMPOSE_SHIPPED_SECRETS = [
  'compose-tracking-secret-change-me-0123456789',
  'compose-marketing-key-01',
  'compose-sales-key-00001',
  'compose-ops-key-000001',
];

const PUBLISHED_SECRETS: ReadonlySet<string> = new Set([...DEV_API_KEYS.map((k) => k.key), DEV_TRACKING_SECRET, DEV_APP_LINK_SECRET, ...COMPOSE_SHIPPED_SECRETS]);

const GENERATE = 'generate one with `openssl rand -hex 32`';

/** Why a key or secret is unsafe, or null; never quotes it. */
function weakness(value: string): string | null {
  if (PUBLISHED_SECRETS.has(value)) return 'is a published default (npm run dev or docker-compose.yml)';
  if (value.length < MIN_PRODUCTION_SECRET_LENGTH) return `is shorter than ${MIN_PRODUCTION_SECRET_LENGTH} characters`;
  return null;
}

function apiKeyProblem(value: string | undefined): string | null {
  const keys = value ? parseApiKeys(value) : [];
  if (typeof keys === 'string') return null; // src/config.ts has reported it already.
  const weak = keys.flatMap((k, i) => {
    const why = weakness(k.key);
    return why ? [`entry ${i + 1} (${k.role}) ${why}`] : [];
  });
  return weak.length ? `API_KEYS: ${weak.join('; ')}; ${GENERATE}` : null;
}

/** TRACKING_SECRET and APP_LINK_SECRET may list several keys, newest first (rotation): each one must be safe. */
function secretListProblem(name: string, value: string | undefined): string | null {
  const parts = (value ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const weak = parts.flatMap((part, i) => {
    const why = weakness(part);
    return why ? [parts.length > 1 ? `key ${i + 1} ${why}` : why] : [];
  });
  return weak.length ? `${name}: ${weak.join('; ')}; ${GENERATE}` : null;
}

const present = (value: string | undefined) => value !== undefined && value.trim() !== '';

/** One line per unsafe variable, in src/config.ts's `NAME: problem` form. */
export function productionConfigProblems(env: NodeJS.ProcessEnv, service: 'api' | 'worker'): string[] {
  const problems: (string | null)[] = [];
  if (service === 'api') problems.push(apiKeyProblem(env.API_KEYS));
  if (service === 'worker' && !present(env.PUBLIC_BASE_URL)) {
    problems.push('PUBLIC_BASE_URL: required by the worker (the base of unsubscribe links; a nurture email is never sent without one)');
  }
  if (service === 'worker' && !present(env.TRACKING_SECRET)) {
    problems.push(`TRACKING_SECRET: required by the worker (signs unsubscribe links; a nurture email is never sent without one); ${GENERATE}`);
  } else if (present(env.TRACKING_SECRET)) {
    problems.push(secretListProblem('TRACKING_SECRET', env.TRACKING_SECRET));
  }
  if (service === 'worker' && !present(env.APP_LINK_SECRET)) {
    problems.push(`APP_LINK_SECRET: required by the worker (signs the lead and queue links of rep emails; the API verifies them with the same value); ${GENERATE}`);
  } else if (present(env.APP_LINK_SECRET)) {
    problems.push(secretListProblem('APP_LINK_SECRET', env.APP_LINK_SECRET));
  }
  return problems.filter((p): p is string => p !== null);
}

/** Throws a ConfigError naming every unsafe variable (with `extra` problems found by the caller). */
export function refuseUnsafeConfig(env: NodeJS.ProcessEnv, service: 'api' | 'worker', extra: string[] = []): void {
  const problems = [...extra, ...productionConfigProblems(env, service)];
  if (problems.length) throw new ConfigError(problems);
}
