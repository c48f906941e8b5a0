// What the routes need, and small shared pieces of the route definitions.
import { z } from 'zod';
import type { ApiKey, RateLimits } from '../config';
import type { IntakeDeps } from '../leads/deps';
import type { RequestPrincipal } from './principal';
import type { ApiMetrics } from './metrics';
import { errorSchema } from './errors';

export interface ApiDeps extends IntakeDeps {
  apiKeys: readonly ApiKey[];
  /** Without it the public /t and /u routes answer 404 (no token can verify). */
  trackingSecret?: string;
  /** Lifetime of click links (TRACKING_LINK_TTL): bounds click tokens signed before links carried an expiry. */
  trackingLinkTtlMs?: number;
  publicBaseUrl?: string;
  /** APP_LINK_SECRET: without it the /app pages answer 404 (no link can verify). */
  appLinkSecret?: string;
  temporalUiUrl?: string;
  /** Default zone of report weeks and date-only bounds (REPORT_TIME_ZONE). */
  reportTimeZone?: string;
  /** Requests a minute per key and per client address (RATE_LIMIT_*); DEFAULT_RATE_LIMITS when omitted. */
  rateLimits?: RateLimits;
  /** WEBHOOK_ALLOW_PRIVATE: webhook URLs may be http and name internal addresses (tests, npm run dev). */
  webhookAllowPrivate?: boolean;
}

export interface RouteContext extends ApiDeps {
  metrics: ApiMetrics;
  /** Who the key a request presents belongs to, also on public routes (readiness detail for ops). */
  requestPrincipal: RequestPrincipal;
}

export { LEAD_ID_PATTERN as UUID_RE } from '../leads/lead-id';

/** A lead id in a path: anything that is not a UUID cannot be a lead, so it answers 404, not 400. */
export const leadIdParams = z.strictObject({ leadId: z.string().max(100).describe('the lead id (UUID)') });

/** Error responses a route can give, for the OpenAPI document. */
export function errors(...statuses: number[]): Record<number, typeof errorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema]));
}

export const bearer = [{ bearerAuth: [] }];
