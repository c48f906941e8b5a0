// docker-compose.yml cannot be run here (no Docker): this checks its structure and wiring instead,
// that it ships no secret and publishes only the API on 127.0.0.1, and that the app services'
// environment, with a .env filled in as .env.example says, passes src/config.ts and the production checks.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
import { productionConfigProblems } from '../../src/config-production';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  restart?: string;
}

const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** What an operator puts in .env: every secret generated, as .env.example says. */
const DOT_ENV: Record<string, string> = {
  POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
  TRACKING_SECRET: randomBytes(32).toString('hex'),
  APP_LINK_SECRET: randomBytes(32).toString('hex'),
  API_KEYS: ['marketing', 'sales', 'ops'].map((role) => `${role}:${randomBytes(32).toString('hex')}`).join(','),
};

/** Compose's `${VAR:-default}`, `${VAR:?error}` and `${VAR}` interpolation against `env` (the .env file). */
function interpolate(value: string | number, env: Record<string, string> = DOT_ENV): string {
  return String(value).replace(/\$\{([A-Z_]+)(?:(:-|:\?)([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const set = env[name];
    if (set) return set;
    if (op === ':?') throw new Error(`${name}: ${arg}`);
    return op === ':-' ? arg! : '';
  });
}
const envOf = (name: string, env = DOT_ENV): Record<string, string> => Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(v, env)]));
/** `${VAR:?…}` variables: compose refuses to start without them. */
const REQUIRED = [...new Set([...readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!))].sort();
const envExample = Object.fromEntries(
  readFileSync(join(PROJECT_ROOT, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);
const expose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.expose.yml'), 'utf8')) as { services: Record<string, Service> };

describe('docker-compose.yml', () => {
  it('has every service of the stack', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'mailpit', 'migrate', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'].sort());
    expect(services.temporal!.image).toMatch(/^temporalio\/(auto-setup|server):/);
    expect(services['temporal-setup']!.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    expect(services.mailpit!.image).toMatch(/^axllent\/mailpit:/);
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    for (const name of ['migrate', 'worker', 'api']) expect(services[name]!.build).toBe('.');
    expect(compose.volumes).toHaveProperty('postgres-data');
  });

  it('publishes only the API, on 127.0.0.1 unless API_BIND says otherwise', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports?.length).map(([name]) => name);
    expect(published).toEqual(['api']);
    expect(services.api!.ports!.map((p) => interpolate(p).split(':'))).toEqual([['127.0.0.1', '3000', '3000']]);
    expect(interpolate(services.api!.ports![0]!, { ...DOT_ENV, API_BIND: '0.0.0.0' })).toBe('0.0.0.0:3000:3000');
    // Replicated workers publish nothing (two replicas could not share a host port).
    expect(services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
  });

  it('publishes the Temporal frontend, Temporal UI and Mailpit only with the opt-in override, on 127.0.0.1', () => {
    expect(Object.keys(expose.services).sort()).toEqual(['mailpit', 'temporal', 'temporal-ui']);
    for (const [name, service] of Object.entries(expose.services)) {
      expect(services).toHaveProperty(name);
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(expose.services['temporal-ui']!.ports).toEqual(['127.0.0.1:8233:8080']);
    expect(expose.services.temporal!.ports).toEqual(['127.0.0.1:7233:7233']);
  });

  it('ships no secret: each is required from .env, which .env.example lists empty', () => {
    expect(REQUIRED).toEqual(['API_KEYS', 'APP_LINK_SECRET', 'POSTGRES_PASSWORD', 'TRACKING_SECRET']);
    for (const name of REQUIRED) expect(envExample[name]).toBe('');
    // Without .env, compose refuses to start, naming the variable.
    expect(() => envOf('api', {})).toThrow(/POSTGRES_PASSWORD: set POSTGRES_PASSWORD in \.env/);
    expect(() => envOf('api', { ...DOT_ENV, API_KEYS: '' })).toThrow(/^API_KEYS:/);
    // The database password is not the old `leadloop` default, anywhere.
    const raw = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    expect(raw).not.toMatch(/PASSWORD:-|PWD:-|:leadloop@|TRACKING_SECRET:-|APP_LINK_SECRET:-|API_KEYS:-/);
    expect(services.postgres!.environment!.POSTGRES_PASSWORD).toBe(services.temporal!.environment!.POSTGRES_PWD);
    // .env stays out of git and out of the image.
    for (const file of ['.gitignore', '.dockerignore']) expect(readFileSync(join(PROJECT_ROOT, file), 'utf8').split('\n')).toContain('.env');
  });

  it('has health checks and waits on them', () => {
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'mailpit', 'worker', 'api']) {
      expect(services[name]!.healthcheck?.test?.length).toBeGreaterThan(0);
    }
    expect(services.api!.healthcheck!.test.join(' ')).toContain('/readyz');
    const dependsOn = (name: string) => Object.fromEntries(Object.entries(services[name]!.depends_on ?? {}).map(([k, v]) => [k, v.condition]));
    expect(dependsOn('temporal')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('temporal-setup')).toEqual({ temporal: 'service_healthy' });
    expect(dependsOn('temporal-ui')).toEqual({ temporal: 'service_healthy' });
    expect(dependsOn('migrate')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('worker')).toMatchObject({ migrate: 'service_completed_successfully', 'temporal-setup': 'service_completed_successfully', mailpit: 'service_healthy' });
    expect(dependsOn('api')).toMatchObject({ migrate: 'service_completed_successfully', 'temporal-setup': 'service_completed_successfully' });
    // Every depends_on names a service of the file.
    for (const s of Object.values(services)) for (const dep of Object.keys(s.depends_on ?? {})) expect(services).toHaveProperty(dep);
  });

  it('registers exactly the search attributes of workflows/search-attributes.ts', () => {
    const script = String(services['temporal-setup']!.command);
    const registered = [...script.matchAll(/(\w+)=(Keyword|Int|Datetime|Text|Bool|Double|KeywordList)\b/g)].map((m) => `${m[1]}:${m[2]!.toUpperCase()}`).sort();
    expect(registered).toEqual(ALL_SEARCH_ATTRIBUTES.map((k) => `${k.name}:${k.type}`).sort());
    expect(script).toContain('temporal operator search-attribute create');
    expect(services['temporal-setup']!.environment).toMatchObject({ TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(services.temporal!.environment!.POSTGRES_PWD).toBe(services.postgres!.environment!.POSTGRES_PASSWORD);
    expect(services.temporal!.environment!.POSTGRES_USER).toBe(services.postgres!.environment!.POSTGRES_USER);
  });

  it('wires worker and API to the same services and secrets, and their env passes src/config.ts', () => {
    const worker = envOf('worker');
    const api = envOf('api');
    const pg = envOf('postgres');
    for (const env of [worker, api, envOf('migrate')]) {
      const url = new URL(env.DATABASE_URL!);
      expect(url.hostname).toBe('postgres');
      expect(url.port).toBe('5432');
      expect(decodeURIComponent(url.username)).toBe(pg.POSTGRES_USER);
      expect(decodeURIComponent(url.password)).toBe(pg.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
    expect(worker.SMTP_URL).toBe('smtp://mailpit:1025');
    for (const key of ['TRACKING_SECRET', 'PUBLIC_BASE_URL', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'DATABASE_URL']) {
      expect(api[key]).toBeDefined();
      expect(api[key]).toBe(worker[key]);
    }
    // Unresolved, the two must even be the same expression (one .env value feeds both).
    expect(services.api!.environment!.TRACKING_SECRET).toBe(services.worker!.environment!.TRACKING_SECRET);
    expect(Number(api.PORT)).toBe(3000);

    const apiConfig = loadConfig(api);
    expect(apiConfig.apiKeys.map((k) => k.role).sort()).toEqual(['marketing', 'ops', 'sales']);
    expect(apiConfig.trackingSecret!.length).toBeGreaterThanOrEqual(32);
    expect(apiConfig.temporal).toEqual({ address: 'temporal:7233', namespace: 'default', taskQueue: 'leads' });
    expect(loadConfig(worker).smtpUrl).toBe('smtp://mailpit:1025');
    // What `npm run api` and `npm run worker` check before they start.
    expect(productionConfigProblems(api, 'api')).toEqual([]);
    expect(productionConfigProblems(worker, 'worker')).toEqual([]);
  });

  it('runs the app entry points that exist, from an image the Dockerfile builds', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    for (const [name, entry] of [['migrate', 'src/migrate-cli.ts'], ['worker', 'src/worker.ts'], ['api', 'src/server.ts']] as const) {
      expect(services[name]!.command).toEqual(['node_modules/.bin/tsx', entry]);
      expect(existsSync(join(PROJECT_ROOT, entry))).toBe(true);
    }
    for (const dir of ['src', 'workflows', 'activities']) {
      expect(dockerfile).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
      expect(existsSync(join(PROJECT_ROOT, dir))).toBe(true);
    }
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.data', '.tools']));
  });
});
