// Who a request acts as: a role key of API_KEYS (a service, e.g. the CRM calling back), or a user's
// own key (POST /v1/users/:email/keys), which carries the user's role and team as the directory
// says at the time of the request.
import type { FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import type { ApiKey, ApiRole } from '../config';
import { keyMatches, userKeyId } from '../users/api-key';
import { findKeyOwner } from '../users/key-store';
import { bearerToken, createKeyring } from './auth';

export type Principal =
  | { kind: 'service'; role: ApiRole }
  | { kind: 'user'; role: ApiRole; email: string; emailNormalized: string; team: string | null };

/** The principal of the key a request presents (null: none, or unknown), worked out once per request. */
export type RequestPrincipal = (request: FastifyRequest) => Promise<Principal | null>;

export function createRequestPrincipal(keys: readonly ApiKey[], pool: Pool): RequestPrincipal {
  const roleOf = createKeyring(keys);
  const known = new WeakMap<FastifyRequest, Promise<Principal | null>>();
  const identify = async (presented: string): Promise<Principal | null> => {
    const keyId = userKeyId(presented);
    if (keyId === null) {
      const role = roleOf(presented);
      return role ? { kind: 'service', role } : null;
    }
    const owner = await findKeyOwner(pool, keyId);
    if (!owner || !keyMatches(presented, owner.digest)) return null;
    return { kind: 'user', role: owner.role, email: owner.email, emailNormalized: owner.email_normalized, team: owner.team };
  };
  return (request) => {
    let principal = known.get(request);
    if (!principal) {
      const presented = bearerToken(request.headers.authorization);
      principal = presented ? identify(presented) : Promise.resolve(null);
      known.set(request, principal);
    }
    return principal;
  };
}

/** What a transition records as its actor. */
export function actorOf(principal: Principal): string {
  return principal.kind === 'user' ? principal.email : `service:${principal.role}`;
}
