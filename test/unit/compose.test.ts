// docker-compose.yml cannot be run here (no Docker): this checks its structure and wiring instead,
// and that the app services' environment, with the file's defaults, passes src/config.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';
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

/** Compose's `${VAR:-default}` / `${VAR}` interpolation with an empty shell environment. */
function interpolate(value: string | number): string {
  return String(value).replace(/\$\{([A-Z_]+)(?::-([^}]*))?\}/g, (_m, _name: string, fallback?: string) => fallback ?? '');
}
const envOf = (name: string): Record<string, string> => Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
const hostPorts = (name: string) => (services[name]!.ports ?? []).map((p) => p.split(':'));

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

  it('publishes the usual ports', () => {
    expect(hostPorts('api')).toEqual([['3000', '3000']]);
    expect(hostPorts('temporal')).toEqual([['7233', '7233']]);
    expect(hostPorts('temporal-ui')).toEqual([['8233', '8080']]);
    expect(hostPorts('mailpit')).toEqual([['1025', '1025'], ['8025', '8025']]);
    expect(hostPorts('postgres')).toEqual([['5432', '5432']]);
    // Replicated workers publish nothing (two replicas could not share a host port).
    expect(services.worker!.ports).toBeUndefined();
    expect(services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
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
  });

  it('runs the app entry points that exist, from an image the Dockerfile builds', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    for (const [name, entry] of [['migrate', 'src/db/migrate-cli.ts'], ['worker', 'src/worker.ts'], ['api', 'src/server.ts']] as const) {
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
