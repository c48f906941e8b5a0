// Environment → typed configuration, validated once at start with one clear line per bad variable.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { isTimeZone } from './domain/zoned-time';

/**
 * Lead workflows a worker keeps in memory (WORKER_MAX_CACHED_WORKFLOWS). The SDK's own default grows
 * with the heap limit (about 2,300 for a 4 GB heap, more with --max-old-space-size); a fixed bound
 * keeps the worker's RSS predictable: 0.26–0.4 MiB per cached lead (bench/, scenario 5; 1.0 GiB with
 * 2,000 cached after 20,000 leads went through the cache). Leads beyond it are replayed from history
 * when they next wake, which a lead waiting days can afford.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 2000;

/**
 * Workflow tasks a worker runs at once (WORKER_MAX_CONCURRENT_WORKFLOW_TASKS): the SDK's default.
 * They share one workflow thread, and a timer that a task arms starts when the task completes, so
 * fewer (8–16) start timers armed under a burst sooner (bench/, scenario 4); but a worker restarted
 * under 3,000–20,000 open leads with a full cache then let queries time out while it replayed
 * them (scenario 5), and with the breach's work cut down 40 was as precise (500 deadlines).
 */
export const DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 40;

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

const envSchema = z.object({
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
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
  TRACKING_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  PUBLIC_BASE_URL: url(['http:', 'https:']).optional(),
  TEMPORAL_UI_URL: url(['http:', 'https:']).optional(),
  REPORT_TIME_ZONE: z
    .string()
    .trim()
    .refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Tokyo')
    .default('UTC'),
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

export const API_ROLES = ['marketing', 'sales', 'ops'] as const;
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

export interface Config {
  databaseUrl: string | undefined;
  temporal: { address: string; namespace: string; taskQueue: string };
  smtpUrl: string;
  /** TLS of the SMTP connection: certificate checks, a CA file, and whether STARTTLS is required. */
  smtpTls: { rejectUnauthorized: boolean; caFile: string | undefined; requireTls: boolean };
  mailFrom: string;
  searchAttributes: boolean;
  /** HTTP API (`npm run api`). */
  port: number;
  apiKeys: ApiKey[];
  /** HMAC secret of tracking and unsubscribe links; without it emails carry no such links. */
  trackingSecret: string | undefined;
  /** Public base URL of the API, e.g. https://leads.example.com: used in email links. */
  publicBaseUrl: string | undefined;
  /** Base URL of the Temporal Web UI, for links to a lead's workflow. */
  temporalUiUrl: string | undefined;
  /** Zone of report days and weeks; the pre-aggregated funnel is kept in it (docs/reports.md). */
  reportTimeZone: string;
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
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    smtpUrl: e.SMTP_URL,
    smtpTls: { rejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED === 'true', caFile: e.SMTP_CA_FILE, requireTls: e.SMTP_REQUIRE_TLS === 'true' },
    mailFrom: e.MAIL_FROM,
    searchAttributes: e.LEADLOOP_SEARCH_ATTRIBUTES === 'true',
    port: e.PORT,
    apiKeys: e.API_KEYS ?? [],
    trackingSecret: e.TRACKING_SECRET,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    temporalUiUrl: e.TEMPORAL_UI_URL?.replace(/\/+$/, ''),
    reportTimeZone: e.REPORT_TIME_ZONE,
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
  };
}
