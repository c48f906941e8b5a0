// WEBHOOK_*: production defaults (https only, 1 s doubling to 1 h for 24 h, 10 s an attempt), short values for tests.
import { ConfigError, loadConfig } from '../../src/config';

describe('webhook configuration', () => {
  it('defaults to public https targets and a day of retries', () => {
    expect(loadConfig({}).webhooks).toEqual({ allowPrivate: false, retryInitialMs: 1_000, retryMaxIntervalMs: 3_600_000, retryForMs: 86_400_000, attemptTimeoutMs: 10_000 });
  });

  it('reads every variable', () => {
    const env = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX_INTERVAL: '2s', WEBHOOK_RETRY_FOR: '8s', WEBHOOK_TIMEOUT: '1.5s' };
    expect(loadConfig(env).webhooks).toEqual({ allowPrivate: true, retryInitialMs: 200, retryMaxIntervalMs: 2_000, retryForMs: 8_000, attemptTimeoutMs: 1_500 });
  });

  it('names each bad variable', () => {
    const bad = { WEBHOOK_ALLOW_PRIVATE: 'yes', WEBHOOK_RETRY_INITIAL: 'soon', WEBHOOK_RETRY_MAX_INTERVAL: '0s', WEBHOOK_RETRY_FOR: '1000d', WEBHOOK_TIMEOUT: '1h' };
    try {
      loadConfig(bad);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual(Object.keys(bad).sort());
    }
  });
});
