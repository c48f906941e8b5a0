// Sales actions. Each calls the lead workflow's update; its validator asks the pure core whether
// the action is legal now, so a refused action never enters history. The answer comes after the
// update was applied.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { STAGES } from '../../domain/types';
import type { LeadView } from '../../domain/view';
import { UnknownLeadError } from '../../leads/errors';
import { leadStageAndOwner } from '../../leads/store';
import { salesUpdates } from '../../leads/workflow-client';
import { acceptSchema, contactSchema, rejectSchema } from '../../schemas/lead';
import { ApiError } from '../errors';
import { actingAs, assertMayTouch, type ActingAs } from '../lead-access';
import type { Principal } from '../principal';
import { bearer, errors, leadIdParams, UUID_RE, type RouteContext } from '../context';

const ACT = ['sales', 'manager', 'ops'] as const;
const REFUSALS: Record<string, number> = { illegal_stage: 409, bant_insufficient: 422 };

export function salesRoutes(ctx: RouteContext): FastifyPluginAsyncZod {
  async function runUpdate(leadId: string, principal: Principal, bodyRep: string | undefined, update: (leadId: string, by: ActingAs) => Promise<LeadView>): Promise<LeadView> {
    if (!UUID_RE.test(leadId)) throw new UnknownLeadError(leadId);
    const lead = await leadStageAndOwner(ctx.pool, leadId);
    if (lead === null) throw new UnknownLeadError(leadId);
    const stage = lead.stage;
    await assertMayTouch(ctx.pool, principal, lead.owner);
    const by = actingAs(principal, bodyRep);
    try {
      return await update(leadId, by);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        const status = REFUSALS[err.cause.type ?? ''];
        if (status) throw new ApiError(status, err.cause.type!, err.cause.message);
      }
      // The workflow has ended (sql, disqualified) or is gone: no sales action applies any more.
      if (err instanceof WorkflowNotFoundError) {
        throw new ApiError(409, 'illegal_stage', `lead is '${stage}' and its workflow has ended; no further sales actions`);
      }
      throw err;
    }
  }

  const common = (summary: string, description: string) => ({
    tags: ['sales'],
    summary,
    description: `${description} Roles: sales (own leads), manager (the team's leads), ops and service keys (any lead, naming rep); see Authorization in docs/api.md.`,
    security: bearer,
    params: leadIdParams,
  });

  return async (app) => {
    app.post('/v1/leads/:leadId/contact', {
      config: { access: ACT },
      schema: {
        ...common(
          'Log a contact attempt',
          'Legal in stage `mql`, and in `working` while no attempt has reached the lead (else 409). The first attempt, whatever its outcome, stops the SLA clock; one that reaches the lead starts the qualification window; after the policy\'s maxContactAttempts attempts that do not, the lead is recycled (unreachable).',
        ),
        body: contactSchema,
        response: {
          200: z.object({
            stage: z.enum(STAGES),
            contactedAt: z.string().nullable(),
            withinSla: z.boolean().nullable(),
            contactAttempts: z.number().int(),
            reached: z.boolean().nullable(),
            nextAttemptDueAt: z.string().nullable(),
          }),
          ...errors(400, 401, 403, 404, 409, 413, 415),
        },
      },
      handler: async (request) => {
        const view = await runUpdate(request.params.leadId.toLowerCase(), request.principal!, request.body.rep, (leadId, by) => salesUpdates.contact(ctx.client, leadId, { ...request.body, ...by }));
        return { stage: view.stage, contactedAt: view.contactedAt, withinSla: view.contactedWithinSla, contactAttempts: view.contactAttempts, reached: view.reached, nextAttemptDueAt: view.nextAttemptDueAt };
      },
    });

    app.post('/v1/leads/:leadId/accept', {
      config: { access: ACT },
      schema: {
        ...common('Accept the lead as SQL', 'Legal in stage `working` only (else 409); needs at least the policy\'s `bantRequired` of the four BANT items true (else 422). The lead leaves the nurture system.'),
        body: acceptSchema,
        response: { 200: z.object({ stage: z.enum(STAGES) }), ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
      },
      handler: async (request) => {
        const view = await runUpdate(request.params.leadId.toLowerCase(), request.principal!, request.body.rep, (leadId, by) => salesUpdates.accept(ctx.client, leadId, { ...request.body, ...by }));
        return { stage: view.stage };
      },
    });

    app.post('/v1/leads/:leadId/reject', {
      config: { access: ACT },
      schema: {
        ...common(
          'Reject the lead back to marketing (recycled) or disqualify it',
          'Legal in stages `mql` and `working` (else 409). `disqualify: true` ends the lead for good; otherwise it waits the policy\'s `recyclePeriod`, then nurtures again.',
        ),
        body: rejectSchema,
        response: { 200: z.object({ stage: z.enum(STAGES), recycleAt: z.string().optional() }), ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
      handler: async (request) => {
        const view = await runUpdate(request.params.leadId.toLowerCase(), request.principal!, request.body.rep, (leadId, by) => salesUpdates.reject(ctx.client, leadId, { ...request.body, ...by }));
        return { stage: view.stage, ...(view.recycleAt ? { recycleAt: view.recycleAt } : {}) };
      },
    });
  };
}
