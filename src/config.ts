// Environment → typed configuration, validated once at start with one clear line per bad variable.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_POOL_SIZE, DEFAULT_POOL_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS, type DatabaseTimeouts } from './db/pool';
import { durationMs } from './domain/duration';
import { isTimeZone } from './domain/zoned-time';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './webhooks/settings';

/**
 * Lead workflows a worker keeps in memory (WORKER_MAX_CACHED_WORKFLOWS). The SDK's own default grows
 * with the heap limit; a fixed bound keeps the worker's memory predictable (docs/performance.md,
 * "Worker cache"). Leads beyond it are replayed from history when they next wake, which a lead
 * waiting days can afford.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 2000;

/**
 * Workflow tasks a worker runs at once (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS): the SDK's default.
 * Fewer start the timers armed under a burst sooner, but let queries time out while a restarted
 * worker replays many open leads (docs/performance.md).
 */
export const DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 40;

export interface RateLimits {
  /** API requests a minute per API key; 0 disables. */
  perMinute: number;
  /** Requests a minute per client address on public routes and without a valid key; 0 disables. */
  publicPerMinute: number;
}

/**
 * Generous for integrations (100 a second per key) and for tracking pixels fetched through a mail
 * provider's image proxy (few addresses for many recipients); stricter for public routes, where no
 * key identifies the caller.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = { perMinute: 6000, publicPerMinute: 600 };

const perMinute = (example: number) =>
  z.coerce
    .number({ message: `must be a whole number of requests a minute, e.g. ${example} (0 disables)` })
    .int(`must be a whole number of requests a minute, e.g. ${example} (0 disables)`)
    .min(0, 'must be 0 (disabled) or more');

const milliseconds = (example: number) =>
  z.coerce
    .number({ message: `must be a whole number of milliseconds, e.g. ${example} (0: no limit)` })
    .int(`must be a whole number of milliseconds, e.g. ${example} (0: no limit)`)
    .min(0, 'must be 0 (no limit) or more');

/** A duration such as "1s" or "24h" between `min` and `max` milliseconds (WEBHOOK_*). */
const boundedDuration = (example: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .transform((value, ctx) => {
      let ms: number;
      try {
        ms = durationMs(value);
      } catch {
        ms = -1;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `must be a duration such as "${example}", from ${min} ms to ${max / 3_600_000}h` });
        return z.NEVER;
      }
      return ms;
    });

const url = (protocols: string[]) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

/** A list of signing keys (TRACKING_SECRET, APP_LINK_SECRET): checked, normalized to comma-separated. */
const secretList = () =>
  z
    .string()
    .transform((value, ctx) => {
      const keys = parseTrackingSecret(value);
      if (typeof keys === 'string') {
        ctx.addIssue({ code: 'custom', message: keys });
        return z.NEVER;
      }
      return keys.join(',');
    })
    .optional();

const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(DEFAULT_POOL_SIZE),
  DATABASE_POOL_TIMEOUT_MS: milliseconds(DEFAULT_POOL_TIMEOUT_MS).default(DEFAULT_POOL_TIMEOUT_MS),
  DATABASE_STATEMENT_TIMEOUT_MS: milliseconds(DEFAULT_STATEMENT_TIMEOUT_MS).default(DEFAULT_STATEMENT_TIMEOUT_MS),
  TEMPORAL_ADDRESS: z
    .string()
    .trim()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233')
    .default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('leads'),
  SMTP_URL: url(['smtp:', 'smtps:']).default('smtp://localhost:1025'),
  /** "false" only against a test server with a self-signed certificate. */
  SMTP_TLS_REJECT_UNAUTHORIZED: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
  SMTP_CA_FILE: z
    .string()
    .trim()
    .refine((path) => existsSync(path), 'must be the path of a readable PEM file')
    .optional(),
  SMTP_REQUIRE_TLS: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  MAIL_FROM: z.string().trim().min(3).default('leadloop <noreply@leadloop.local>'),
  /** Set to "false" against a server without the custom search attributes (the time-skipping test server). */
  LEADLOOP_SEARCH_ATTRIBUTES: z.enum(['true', 'false']).default('true'),
  PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a port number').min(0).max(65535, 'must be a port number').default(3000),
  API_KEYS: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const result = parseApiKeys(value);
      if (typeof result === 'string') {
        ctx.addIssue({ code: 'custom', message: result });
        return z.NEVER;
      }
      return result;
    })
    .optional(),
  TRACKING_SECRET: secretList(),
  APP_LINK_SECRET: secretList(),
  TRACKING_LINK_TTL: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const ms = trackingLinkTtlMs(value);
      if (typeof ms === 'string') {
        ctx.addIssue({ code: 'custom', message: ms });
        return z.NEVER;
      }
      return ms;
    })
    .optional(),
  PUBLIC_BASE_URL: url(['http:', 'https:']).optional(),
  TEMPORAL_UI_URL: url(['http:', 'https:']).optional(),
  REPORT_TIME_ZONE: z
    .string()
    .trim()
    .refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Tokyo')
    .default('UTC'),
  RATE_LIMIT_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.perMinute).default(DEFAULT_RATE_LIMITS.perMinute),
  RATE_LIMIT_PUBLIC_PER_MINUTE: perMinute(DEFAULT_RATE_LIMITS.publicPerMinute).default(DEFAULT_RATE_LIMITS.publicPerMinute),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false'], { message: 'must be true or false' }).default('false'),
  WEBHOOK_RETRY_INITIAL: boundedDuration('1s', 10, 3_600_000).optional(),
  WEBHOOK_RETRY_MAX_INTERVAL: boundedDuration('1h', 10, 24 * 3_600_000).optional(),
  WEBHOOK_RETRY_FOR: boundedDuration('24h', 100, 30 * 24 * 3_600_000).optional(),
  WEBHOOK_TIMEOUT: boundedDuration('10s', 100, 300_000).optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number({ message: 'must be a whole number of workflows, e.g. 2000' })
    .int('must be a whole number of workflows, e.g. 2000')
    .min(1, 'must be at least 1')
    .default(DEFAULT_MAX_CACHED_WORKFLOWS),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce
    .number({ message: 'must be a whole number of tasks, e.g. 40' })
    .int('must be a whole number of tasks, e.g. 40')
    .min(2, 'must be at least 2 (a sticky and a normal task queue poller)')
    .default(DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS),
});

export const API_ROLES = ['marketing', 'sales', 'ops', 'manager'] as const;
export type ApiRole = (typeof API_ROLES)[number];
export interface ApiKey {
  role: ApiRole;
  key: string;
}

/** `role:key,role:key`: a readable message (never quoting a key) for anything else. */
export function parseApiKeys(value: string): ApiKey[] | string {
  const keys: ApiKey[] = [];
  const parts = value.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return 'must list at least one role:key pair';
  for (const [i, part] of parts.entries()) {
    const colon = part.indexOf(':');
    const role = colon > 0 ? part.slice(0, colon).trim() : '';
    const key = colon > 0 ? part.slice(colon + 1).trim() : '';
    if (!(API_ROLES as readonly string[]).includes(role)) return `entry ${i + 1} must be role:key with role one of ${API_ROLES.join(', ')}`;
    if (key.length < 16) return `entry ${i + 1} (${role}): key must be at least 16 characters`;
    if (!/^[\x21-\x7e]+$/.test(key) || key.includes(',')) return `entry ${i + 1} (${role}): key must be printable ASCII without spaces or commas`;
    if (keys.some((k) => k.key === key)) return `entry ${i + 1} (${role}): the same key is listed twice`;
    keys.push({ role: role as ApiRole, key });
  }
  return keys;
}

/**
 * TRACKING_SECRET: one key, or several comma-separated with the newest first (rotation: add the new
 * key in front, drop the old one when its links may die). Each key is checked on its own: the keys,
 * or a message that never quotes a key.
 */
export function parseTrackingSecret(value: string): string[] | string {
  // A single key is taken verbatim, as before keys could be listed: its links keep verifying.
  const keys = value.includes(',') ? value.split(',').map((k) => k.trim()) : [value];
  for (const [i, key] of keys.entries()) {
    const which = keys.length > 1 ? `key ${i + 1} (of ${keys.length}, newest first)` : 'the key';
    if (key.length < 32) return `${which} must be at least 32 characters (e.g. \`openssl rand -hex 32\`)`;
    if (keys.indexOf(key) !== i) return `${which} is listed twice`;
  }
  return keys;
}

const MAX_TRACKING_LINK_TTL_MS = 5 * 365 * 24 * 3_600_000;

/** TRACKING_LINK_TTL: a duration ("365d", "8760h") from one hour to five years, or a message. */
export function trackingLinkTtlMs(value: string): number | string {
  let ms: number;
  try {
    ms = durationMs(value);
  } catch {
    return 'must be a duration such as "365d" or "90d"';
  }
  if (ms < 3_600_000 || ms > MAX_TRACKING_LINK_TTL_MS) return 'must be between 1h and 1825d (five years)';
  return ms;
}

/**
 * The start-up warning (one line) for a PUBLIC_BASE_URL that is not https: unsubscribe and
 * tracking links then travel in clear, and mailbox providers ignore one-click unsubscribe (RFC 8058
 * wants https), so List-Unsubscribe-Post is left out.
 */
export function publicBaseUrlWarning(publicBaseUrl: string | undefined): string | null {
  if (!publicBaseUrl || publicBaseUrl.startsWith('https://')) return null;
  return `PUBLIC_BASE_URL is not https (${publicBaseUrl}): email links travel in clear and one-click unsubscribe (List-Unsubscribe-Post) is left out`;
}

export interface Config {
  databaseUrl: string | undefined;
  /** Pool acquire timeout and statement_timeout: a slow or saturated PostgreSQL fails fast (503). */
  database: DatabaseTimeouts;
  temporal: { address: string; namespace: string; taskQueue: string };
  smtpUrl: string;
  /** TLS of the SMTP connection: certificate checks, a CA file, and whether STARTTLS is required. */
  smtpTls: { rejectUnauthorized: boolean; caFile: string | undefined; requireTls: boolean };
  mailFrom: string;
  searchAttributes: boolean;
  /** HTTP API (`npm run api`). */
  port: number;
  apiKeys: ApiKey[];
  /** HMAC keys of tracking and unsubscribe links (comma-separated, newest first); without it emails carry no such links. */
  trackingSecret: string | undefined;
  /** Lifetime of click links (TRACKING_LINK_TTL); undefined: one year. */
  trackingLinkTtlMs: number | undefined;
  /** HMAC keys of the sales workspace's links in rep emails (APP_LINK_SECRET, comma-separated, newest first); without it rep emails carry none. */
  appLinkSecret: string | undefined;
  /** Public base URL of the API, e.g. https://leads.example.com: used in email links. */
  publicBaseUrl: string | undefined;
  /** Base URL of the Temporal Web UI, for links to a lead's workflow. */
  temporalUiUrl: string | undefined;
  /** Zone of report days and weeks; the pre-aggregated funnel is kept in it (docs/reports.md). */
  reportTimeZone: string;
  /** API requests a minute per key, and per client address on public routes; 0 disables. */
  rateLimits: RateLimits;
  /** Webhook targets and retries (WEBHOOK_*): the API checks targets, the worker delivers. */
  webhooks: WebhookSettings;
  /** Lead workflows a worker keeps in memory (about 0.3–0.4 MiB each); the rest replay when they wake. */
  maxCachedWorkflows: number;
  /** Workflow tasks a worker runs at once: few, so a task (and the timer it arms) completes in milliseconds. */
  maxConcurrentWorkflowTasks: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most twelve-factor tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    database: { poolSize: e.DATABASE_POOL_SIZE, poolTimeoutMs: e.DATABASE_POOL_TIMEOUT_MS, statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS },
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    smtpUrl: e.SMTP_URL,
    smtpTls: { rejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED === 'true', caFile: e.SMTP_CA_FILE, requireTls: e.SMTP_REQUIRE_TLS === 'true' },
    mailFrom: e.MAIL_FROM,
    searchAttributes: e.LEADLOOP_SEARCH_ATTRIBUTES === 'true',
    port: e.PORT,
    apiKeys: e.API_KEYS ?? [],
    trackingSecret: e.TRACKING_SECRET,
    trackingLinkTtlMs: e.TRACKING_LINK_TTL,
    appLinkSecret: e.APP_LINK_SECRET,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    temporalUiUrl: e.TEMPORAL_UI_URL?.replace(/\/+$/, ''),
    reportTimeZone: e.REPORT_TIME_ZONE,
    rateLimits: { perMinute: e.RATE_LIMIT_PER_MINUTE, publicPerMinute: e.RATE_LIMIT_PUBLIC_PER_MINUTE },
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true',
      retryInitialMs: e.WEBHOOK_RETRY_INITIAL ?? DEFAULT_WEBHOOK_SETTINGS.retryInitialMs,
      retryMaxIntervalMs: e.WEBHOOK_RETRY_MAX_INTERVAL ?? DEFAULT_WEBHOOK_SETTINGS.retryMaxIntervalMs,
      retryForMs: e.WEBHOOK_RETRY_FOR ?? DEFAULT_WEBHOOK_SETTINGS.retryForMs,
      attemptTimeoutMs: e.WEBHOOK_TIMEOUT ?? DEFAULT_WEBHOOK_SETTINGS.attemptTimeoutMs,
    },
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
  };
}
