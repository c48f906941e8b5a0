import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      databaseUrl: undefined,
      temporal: { address: 'localhost:7233', namespace: 'default', taskQueue: 'leads' },
      smtpUrl: 'smtp://localhost:1025',
      mailFrom: 'leadloop <noreply@leadloop.local>',
      searchAttributes: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/leadloop',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'sales',
      TEMPORAL_TASK_QUEUE: 'leads-jp',
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      MAIL_FROM: 'マーケティング <mk@example.co.jp>',
      LEADLOOP_SEARCH_ATTRIBUTES: 'false',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/leadloop',
      temporal: { address: 'temporal:7233', namespace: 'sales', taskQueue: 'leads-jp' },
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      mailFrom: 'マーケティング <mk@example.co.jp>',
      searchAttributes: false,
    });
  });

  it('reads the SMTP TLS settings: certificate checks on, no CA file and STARTTLS not required by default', () => {
    expect(loadConfig({}).smtpTls).toEqual({ rejectUnauthorized: true, caFile: undefined, requireTls: false });
    expect(loadConfig({ SMTP_TLS_REJECT_UNAUTHORIZED: 'false', SMTP_CA_FILE: __filename, SMTP_REQUIRE_TLS: 'true' }).smtpTls).toEqual({ rejectUnauthorized: false, caFile: __filename, requireTls: true });
    expect(() => loadConfig({ SMTP_REQUIRE_TLS: 'yes' })).toThrow(/SMTP_REQUIRE_TLS: must be true or false/);
    expect(() => loadConfig({ SMTP_TLS_REJECT_UNAUTHORIZED: '0' })).toThrow(/SMTP_TLS_REJECT_UNAUTHORIZED: must be true or false/);
    expect(() => loadConfig({ SMTP_CA_FILE: '/no/such/ca.pem' })).toThrow(/SMTP_CA_FILE: must be the path of a readable PEM file/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ TEMPORAL_NAMESPACE: '', DATABASE_URL: '' })).toMatchObject({ databaseUrl: undefined, temporal: { namespace: 'default' } });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port', SMTP_URL: 'http://mail', LEADLOOP_SEARCH_ATTRIBUTES: 'yes' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'LEADLOOP_SEARCH_ATTRIBUTES', 'SMTP_URL', 'TEMPORAL_ADDRESS']);
    expect((error as Error).message).toContain('TEMPORAL_ADDRESS: must be host:port');
  });

  it('reads the rate limits: generous defaults, 0 disables, a bad value names the variable', () => {
    expect(loadConfig({}).rateLimits).toEqual({ perMinute: 6000, publicPerMinute: 600 });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PUBLIC_PER_MINUTE: '30' }).rateLimits).toEqual({ perMinute: 0, publicPerMinute: 30 });
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1', RATE_LIMIT_PUBLIC_PER_MINUTE: 'lots' })).toThrow(/RATE_LIMIT_PER_MINUTE: must be 0 \(disabled\) or more\n.*RATE_LIMIT_PUBLIC_PER_MINUTE: must be a whole number/);
  });
});
