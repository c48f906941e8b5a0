// Bearer API keys with one role each (API_KEYS). Keys are compared as SHA-256 digests with
// timingSafeEqual against every configured key (no early exit), and never logged.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

/** The role of the key a request presents (null: none, or unknown), worked out once per request. */
export type RequestRole = (request: FastifyRequest) => ApiRole | null;

export function createRequestRole(keys: readonly ApiKey[]): RequestRole {
  const roleOf = createKeyring(keys);
  const known = new WeakMap<FastifyRequest, ApiRole | null>();
  return (request) => {
    if (known.has(request)) return known.get(request)!;
    const presented = bearerToken(request.headers.authorization);
    const role = presented ? roleOf(presented) : null;
    known.set(request, role);
    return role;
  };
}

/** Routes must say who may call them; a route that forgets is refused at start, not left open. */
export function installAuth(app: FastifyInstance, roleOf: RequestRole, isExempt: (url: string) => boolean): void {
  app.decorateRequest('role', undefined);
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined && !isExempt(route.url ?? route.path)) {
      throw new Error(`route ${route.method} ${route.url} has no access rule (config.access)`);
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined || access === 'public') return;
    if (!bearerToken(request.headers.authorization)) throw new ApiError(401, 'unauthorized', 'send an API key as `Authorization: Bearer <key>`');
    const role = roleOf(request);
    if (!role) throw new ApiError(401, 'unauthorized', 'unknown API key');
    if (!access.includes(role)) throw new ApiError(403, 'forbidden', `the ${role} role may not call this route (allowed: ${access.join(', ')})`);
    request.role = role;
  });
}
