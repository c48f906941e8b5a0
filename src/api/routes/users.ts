// The user directory: staff who own leads (sales), are escalated to (manager), or use the API.
// Ops maintain it; managers read it (routing skips reps who are away or at capacity).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeEmail } from '../../schemas/common';
import { USER_ROLES, userBodySchema, userEmail, userSchema } from '../../schemas/user';
import { findUser, listUsers, upsertUser, type UserRow } from '../../users/store';
import { decodeCursor, encodeCursor } from '../cursor';
import { ApiError } from '../errors';
import { bearer, errors, type RouteContext } from '../context';

const READ = ['ops', 'manager'] as const;
const WRITE = ['ops'] as const;

const putResult = z.object({ email: z.string(), created: z.boolean().describe('false when the user existed (the body replaced it)') });

const listQuery = z.strictObject({
  role: z.enum(USER_ROLES).optional(),
  team: z.string().trim().min(1).max(64).optional().describe('case-insensitive'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(400).optional().describe('nextCursor of the previous page'),
});

function toUser(row: UserRow): z.infer<typeof userSchema> {
  return {
    email: row.email,
    name: row.name,
    role: row.role,
    team: row.team,
    timeZone: row.time_zone,
    locale: row.locale,
    capacity: row.capacity,
    outOfOffice: row.out_of_office,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function userRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.put('/v1/users/:email', {
      config: { access: WRITE },
      schema: {
        tags: ['users'],
        summary: 'Add a user to the directory, or replace one (idempotent per normalized email)',
        description:
          'The body replaces the whole entry: a field left out is cleared. 201 with `created: true` for a new email (case and spaces ignored), else 200 with `created: false`; an unchanged body keeps `updatedAt`. `outOfOffice` ranges are ISO-8601 instants with a zone, or dates meaning whole local days in the user\'s `timeZone` (Asia/Tokyo without one; `to` included). Role: ops.',
        security: bearer,
        params: z.strictObject({ email: userEmail }),
        body: userBodySchema,
        response: { 200: putResult, 201: putResult, ...errors(400, 401, 403, 413, 415) },
      },
      handler: async (request, reply) => {
        const email = request.params.email;
        const { inserted } = await upsertUser(ctx.pool, normalizeEmail(email), email, request.body);
        return reply.status(inserted ? 201 : 200).send({ email, created: inserted });
      },
    });

    app.get('/v1/users', {
      config: { access: READ },
      schema: {
        tags: ['users'],
        summary: 'List the directory by email',
        description: "Filters combine with AND. Paginate with `cursor` = the previous page's `nextCursor` (null on the last page). Roles: ops, manager.",
        security: bearer,
        querystring: listQuery,
        response: { 200: z.object({ items: z.array(userSchema), nextCursor: z.string().nullable() }), ...errors(400, 401, 403) },
      },
      handler: async (request) => {
        const q = request.query;
        const rows = await listUsers(ctx.pool, { role: q.role, team: q.team, after: q.cursor ? decodeCursor(q.cursor, (v) => v.length === 1 && v[0]!.length <= 254)[0] : undefined, limit: q.limit + 1 });
        const page = rows.slice(0, q.limit);
        const last = page[page.length - 1];
        return { items: page.map(toUser), nextCursor: rows.length > q.limit && last ? encodeCursor([last.email_normalized]) : null };
      },
    });

    app.get('/v1/users/:email', {
      config: { access: READ },
      schema: {
        tags: ['users'],
        summary: 'One user of the directory',
        description: 'Anything that is not an email address cannot be a user: 404 `unknown_user`, as for an unknown one. Roles: ops, manager.',
        security: bearer,
        params: z.strictObject({ email: z.string().max(1000) }),
        response: { 200: userSchema, ...errors(401, 403, 404) },
      },
      handler: async (request) => {
        const parsed = userEmail.safeParse(request.params.email);
        const row = parsed.success ? await findUser(ctx.pool, normalizeEmail(parsed.data)) : null;
        // The message does not echo the path: it may be anything.
        if (!row) throw new ApiError(404, 'unknown_user', 'no such user in the directory');
        return toUser(row);
      },
    });
  };
}
