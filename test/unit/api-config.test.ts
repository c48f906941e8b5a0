import { ConfigError, loadConfig, parseApiKeys, publicBaseUrlWarning } from '../../src/config';
import { campaignBodySchema } from '../../src/catalog/schemas';
import { DEFAULT_CAMPAIGN, DEFAULT_MODEL, DEFAULT_POLICY } from '../../src/domain/defaults';
import { parseScoringModel } from '../../src/schemas/scoring-model';

describe('API configuration', () => {
  it('parses API_KEYS as role:key pairs', () => {
    expect(parseApiKeys('marketing:aaaaaaaaaaaaaaaa, ops:bbbbbbbbbbbbbbbb')).toEqual([
      { role: 'marketing', key: 'aaaaaaaaaaaaaaaa' },
      { role: 'ops', key: 'bbbbbbbbbbbbbbbb' },
    ]);
    expect(parseApiKeys('admin:aaaaaaaaaaaaaaaa')).toMatch(/role one of marketing, sales, ops/);
    expect(parseApiKeys('sales:short')).toMatch(/at least 16/);
    expect(parseApiKeys('sales:aaaaaaaaaaaaaaaa,ops:aaaaaaaaaaaaaaaa')).toMatch(/twice/);
    expect(parseApiKeys(',')).toMatch(/at least one/);
  });

  it('names each bad variable and never quotes a key', () => {
    try {
      loadConfig({ API_KEYS: 'sales:tooshort-secret', PORT: 'eighty', TRACKING_SECRET: 'short', PUBLIC_BASE_URL: 'ftp://x', TEMPORAL_UI_URL: 'nope', WORKER_MAX_CACHED_WORKFLOWS: '0', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['API_KEYS', 'PORT', 'TRACKING_SECRET', 'PUBLIC_BASE_URL', 'TEMPORAL_UI_URL', 'WORKER_MAX_CACHED_WORKFLOWS', 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS']) expect(problems).toContain(`${name}:`);
      expect(problems).not.toContain('tooshort-secret');
    }
  });

  it('reads TRACKING_SECRET as keys newest first, each checked, and TRACKING_LINK_TTL as a bounded duration', () => {
    const newer = 'n'.repeat(32);
    const older = 'o'.repeat(40);
    expect(loadConfig({ TRACKING_SECRET: ` ${newer} , ${older} ` }).trackingSecret).toBe(`${newer},${older}`);
    expect(loadConfig({ TRACKING_SECRET: older }).trackingSecret).toBe(older);
    // A single key is taken verbatim (as before keys could be listed), so links it signed keep verifying.
    expect(loadConfig({ TRACKING_SECRET: `${older} ` }).trackingSecret).toBe(`${older} `);
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
    };
    expect(problems({ TRACKING_SECRET: `${newer},short-old-key` })).toBe('TRACKING_SECRET: key 2 (of 2, newest first) must be at least 32 characters (e.g. `openssl rand -hex 32`)');
    expect(problems({ TRACKING_SECRET: `${newer},${newer}` })).toContain('key 2 (of 2, newest first) is listed twice');
    expect(problems({ TRACKING_SECRET: `${newer},` })).toContain('TRACKING_SECRET: key 2');
    expect(loadConfig({}).trackingLinkTtlMs).toBeUndefined();
    expect(loadConfig({ TRACKING_LINK_TTL: '90d' }).trackingLinkTtlMs).toBe(90 * 86_400_000);
    expect(problems({ TRACKING_LINK_TTL: 'forever' })).toMatch(/^TRACKING_LINK_TTL: must be a duration/);
    expect(problems({ TRACKING_LINK_TTL: '300000y' })).toMatch(/^TRACKING_LINK_TTL: must be between 1h and 1825d/);
  });

  it('warns (one line) when PUBLIC_BASE_URL is not https', () => {
    expect(publicBaseUrlWarning('https://leads.example.com')).toBeNull();
    expect(publicBaseUrlWarning(undefined)).toBeNull();
    expect(publicBaseUrlWarning('http://leads.example.com')).toMatch(/^PUBLIC_BASE_URL is not https \(http:\/\/leads\.example\.com\): [^\n]*List-Unsubscribe-Post[^\n]*$/);
  });

  it('defaults PORT to 3000 and strips trailing slashes from URLs', () => {
    const config = loadConfig({ PUBLIC_BASE_URL: 'https://leads.example.com/', TEMPORAL_UI_URL: 'http://localhost:8233/' });
    expect(config.port).toBe(3000);
    expect(config.apiKeys).toEqual([]);
    expect(config.publicBaseUrl).toBe('https://leads.example.com');
    expect(config.temporalUiUrl).toBe('http://localhost:8233');
    expect(config.maxCachedWorkflows).toBe(2000);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '500' }).maxCachedWorkflows).toBe(500);
    expect(config.maxConcurrentWorkflowTasks).toBe(40);
    expect(loadConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8' }).maxConcurrentWorkflowTasks).toBe(8);
  });
});

describe('catalog schemas', () => {
  it('accept the shipped defaults (what migrate seeds)', () => {
    expect(parseScoringModel(DEFAULT_MODEL)).toEqual(DEFAULT_MODEL);
    const { id: _id, version: _v, ...campaign } = DEFAULT_CAMPAIGN;
    expect(campaignBodySchema.parse({ ...campaign, policy: DEFAULT_POLICY })).toMatchObject({ scoringModel: 'default', policy: DEFAULT_POLICY });
  });

  it('fill policy defaults and reject unknown fields', () => {
    const parsed = campaignBodySchema.parse({ name: 'C', steps: [], policy: { sla: '3h' } });
    expect(parsed.policy).toEqual({ ...DEFAULT_POLICY, sla: '3h' });
    expect(campaignBodySchema.parse({ name: 'C', steps: [] }).policy).toEqual(DEFAULT_POLICY);
    expect(campaignBodySchema.safeParse({ name: 'C', steps: [], id: 'x' }).success).toBe(false);
    expect(campaignBodySchema.safeParse({ name: 'C', steps: [], policy: { slaa: '3h' } }).success).toBe(false);
  });
});
