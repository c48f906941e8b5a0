// Bearer API keys: role keys of API_KEYS, compared as SHA-256 digests with timingSafeEqual against
// every configured key (no early exit), and users' own keys (principal.ts). Keys are never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal, RequestPrincipal } from './principal';
import type { ApiKey, ApiRole } from '../config';
import { ApiError } from './errors';

/** Who may call a route: a list of roles, or 'public' (no key needed). */
export type Access = 'public' | readonly ApiRole[];

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    role?: ApiRole;
    /** Set on every keyed route once the key is known. */
    principal?: Principal;
  }
}

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

export function createKeyring(keys: readonly ApiKey[]): (presented: string) => ApiRole | null {
  const entries = keys.map((k) => ({ role: k.role, digest: digest(k.key) }));
  return (presented) => {
    const given = digest(presented);
    let found: ApiRole | null = null;
    for (const entry of entries) if (timingSafeEqual(entry.digest, given) && found === null) found = entry.role;
    return found;
  };
}

/** The key of an `Authorization: Bearer <key>` header, or null. */
export function bearerToken(header: unknown): string | null {
  const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/** Routes must say who may call them; a route that forgets is refused at start, not left open. */
export function installAuth(app: FastifyInstance, principalOf: RequestPrincipal, isExempt: (url: string) => boolean): void {
  app.decorateRequest('role', undefined);
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined && !isExempt(route.url ?? route.path)) {
      throw new Error(`route ${route.method} ${route.url} has no access rule (config.access)`);
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    if (!bearerToken(request.headers.authorization)) throw new ApiError(401, 'unauthorized', 'send an API key as `Authorization: Bearer <key>`');
    const principal = await principalOf(request);
    if (!principal) throw new ApiError(401, 'unauthorized', 'unknown or revoked API key');
    if (!access.includes(principal.role)) throw new ApiError(403, 'forbidden', `the ${principal.role} role may not call this route (allowed: ${access.join(', ')})`);
    request.role = principal.role;
    request.principal = principal;
  });
}
