// How webhook deliveries are retried and bounded (pure: the delivery workflow reads it too).

export interface WebhookSettings {
  /** http and private, loopback or link-local targets (WEBHOOK_ALLOW_PRIVATE): tests and npm run dev only. */
  allowPrivate: boolean;
  /** First retry interval (WEBHOOK_RETRY_INITIAL); each next one doubles. */
  retryInitialMs: number;
  /** Longest interval between two attempts (WEBHOOK_RETRY_MAX_INTERVAL). */
  retryMaxIntervalMs: number;
  /** How long an event is retried before it is failed (WEBHOOK_RETRY_FOR): schedule-to-close. */
  retryForMs: number;
  /** One attempt's limit (WEBHOOK_TIMEOUT). */
  attemptTimeoutMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowPrivate: false,
  retryInitialMs: 1_000,
  retryMaxIntervalMs: 3_600_000,
  retryForMs: 24 * 3_600_000,
  attemptTimeoutMs: 10_000,
};
