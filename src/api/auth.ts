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

/** Routes must say who may call them; a route that forgets is refused at start, not left open. */
export function installAuth(app: FastifyInstance, keys: readonly ApiKey[], isExempt: (url: string) => boolean): void {
  const roleOf = createKeyring(keys);
  app.decorateRequest('role', undefined);
  app.addHook('onRoute', (route) => {
    if (route.config?.access === undefined && !isExempt(route.url ?? route.path)) {
      throw new Error(`route ${route.method} ${route.url} has no access rule (config.access)`);
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined) return;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(header) : null;
    if (access === 'public') {
      // No key needed, but a valid one is noted: a public route may tell ops more (/readyz).
      const role = match ? roleOf(match[1]!) : null;
      if (role) request.role = role;
      return;
    }
    if (!match) throw new ApiError(401, 'unauthorized', 'send an API key as `Authorization: Bearer <key>`');
    const role = roleOf(match[1]!);
    if (!role) throw new ApiError(401, 'unauthorized', 'unknown API key');
    if (!access.includes(role)) throw new ApiError(403, 'forbidden', `the ${role} role may not call this route (allowed: ${access.join(', ')})`);
    request.role = role;
  });
}
