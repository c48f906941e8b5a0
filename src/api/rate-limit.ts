// Request rate limits (@fastify/rate-limit's in-memory store, one window per minute): per API key on
// keyed routes, per client address on public routes (/t/*, /u/*, health, docs) and for requests
// without a valid key, which get the stricter public limit so that guessing keys is slow too.
// Runs before authentication and body parsing: a throttled request costs a hash and a map lookup.
import { createHash } from 'node:crypto';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimits } from '../config';
import { bearerToken } from './auth';
import type { RequestPrincipal } from './principal';
import { ApiError } from './errors';

const WINDOW_MS = 60_000;
/** Buckets kept at once (least recently used dropped first): bounds the store's memory. */
const MAX_BUCKETS = 50_000;

export async function installRateLimits(app: FastifyInstance, principalOf: RequestPrincipal, limits: RateLimits): Promise<void> {
  if (limits.perMinute === 0 && limits.publicPerMinute === 0) return;
  await app.register(fastifyRateLimit, { global: false });
  /** The bucket of each request being limited, set just before the limiter reads it. */
  const buckets = new WeakMap<FastifyRequest, string>();
  const bucketOf = (req: FastifyRequest) => buckets.get(req) ?? `addr:${req.ip}`;
  // `cache` sizes each limiter's own store (the plugin's default is 5,000 buckets).
  const limiter = (max: number) => app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: bucketOf, cache: MAX_BUCKETS } as Parameters<typeof app.createRateLimit>[0]);
  const keyed = limiter(limits.perMinute);
  const anonymous = limiter(limits.publicPerMinute);
  /** A valid presented key's bucket (its digest: the key itself is never kept), else null. */
  const keyBucket = async (req: FastifyRequest): Promise<string | null> => {
    const presented = bearerToken(req.headers.authorization);
    return presented && (await principalOf(req)) ? `key:${createHash('sha256').update(presented).digest('base64url')}` : null;
  };

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config?.access;
    const bucket = access !== undefined && access !== 'public' ? await keyBucket(request) : null;
    const byKey = bucket !== null;
    const max = byKey ? limits.perMinute : limits.publicPerMinute;
    if (max === 0) return;
    buckets.set(request, bucket ?? `addr:${request.ip}`);
    const result = await (byKey ? keyed : anonymous)(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
    throw new ApiError(
      429,
      'rate_limited',
      `more than ${max} requests a minute ${byKey ? 'with this API key' : 'from this address'}; retry in ${Math.max(1, result.ttlInSeconds)} s`,
    );
  });
}
