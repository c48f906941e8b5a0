// A user's own API keys: issued by ops, shown once, revoked at once. A user key carries the user's
// role and identity, so the API knows who acted (src/api/principal.ts, lead-access.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeEmail } from '../../schemas/common';
import { userEmail } from '../../schemas/user';
import { KEY_ID_PATTERN, newUserKey } from '../../users/api-key';
import { insertUserKey, listUserKeys, revokeUserKey } from '../../users/key-store';
import { findUser } from '../../users/store';
import { ApiError } from '../errors';
import { bearer, errors, type RouteContext } from '../context';

const OPS = ['ops'] as const;
const emailParam = { email: z.string().max(1000).describe('the user\'s email') };
const keyIdParam = z.string().max(100).describe('keyId from the POST');
const issued = z.object({ keyId: z.string(), apiKey: z.string().describe('shown once: only a digest is kept') });
const listed = z.object({ keyId: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() });

const unknownUser = () => new ApiError(404, 'unknown_user', 'no such user in the directory');

export function userKeyRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  /** The user's normalized email, or 404 (anything that is not an email cannot be a user). */
  async function knownUser(email: string): Promise<string> {
    const parsed = userEmail.safeParse(email);
    const row = parsed.success ? await findUser(ctx.pool, normalizeEmail(parsed.data)) : null;
    if (!row) throw unknownUser();
    return row.email_normalized;
  }

  return async (app) => {
    app.post('/v1/users/:email/keys', {
      config: { access: OPS },
      schema: {
        tags: ['users'],
        summary: 'Issue an API key for a user',
        description: 'The key acts as the user, with the role the directory gives them at each request. `apiKey` is shown only in this answer. Role: ops.',
        security: bearer,
        params: z.strictObject(emailParam),
        response: { 201: issued, ...errors(401, 403, 404) },
      },
      handler: async (request, reply) => {
        const owner = await knownUser(request.params.email);
        const key = newUserKey();
        await insertUserKey(ctx.pool, key.keyId, owner, key.digest);
        return reply.status(201).send({ keyId: key.keyId, apiKey: key.apiKey });
      },
    });

    app.get('/v1/users/:email/keys', {
      config: { access: OPS },
      schema: {
        tags: ['users'],
        summary: "A user's keys (ids and dates, never the keys)",
        description: 'Role: ops.',
        security: bearer,
        params: z.strictObject(emailParam),
        response: { 200: z.object({ items: z.array(listed) }), ...errors(401, 403, 404) },
      },
      handler: async (request) => {
        const rows = await listUserKeys(ctx.pool, await knownUser(request.params.email));
        return { items: rows.map((r) => ({ keyId: r.key_id, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null })) };
      },
    });

    app.delete('/v1/users/:email/keys/:keyId', {
      config: { access: OPS },
      schema: {
        tags: ['users'],
        summary: 'Revoke a user key at once',
        description: 'The next request with the key answers 401. 404 `unknown_key` when the user has no such live key. Role: ops.',
        security: bearer,
        params: z.strictObject({ ...emailParam, keyId: keyIdParam }),
        response: { 204: z.null().describe('revoked'), ...errors(401, 403, 404) },
      },
      handler: async (request, reply) => {
        const owner = await knownUser(request.params.email);
        const revoked = KEY_ID_PATTERN.test(request.params.keyId) && (await revokeUserKey(ctx.pool, owner, request.params.keyId));
        if (!revoked) throw new ApiError(404, 'unknown_key', 'this user has no such live key');
        return reply.status(204).send(null);
      },
    });
  };
}
