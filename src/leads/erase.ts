// Erasing a person on request (DELETE /v1/leads/:id): Temporal's runs, every row, and a suppression.
import { withTransaction } from '../db/transaction';
import type { IntakeDeps } from './deps';
import { UnknownLeadError } from './errors';
import { assertLeadId } from './lead-id';
import { deleteLeadCounted, findLeadRow, suppress } from './store';
import { eraseLeadRuns } from './workflow-client';
import { forgetPicksOf } from '../routing/store';
import { eraseLeadDeliveries } from '../webhooks/store';
import { wakeWebhookDelivery } from '../webhooks/workflow-client';

/**
 * Every run of the lead's workflow is deleted from Temporal (a running one is terminated by the
 * deletion), then every row about the lead goes (leads, and by cascade its events, transitions and
 * emails; also emails addressed to the person without a lead id; routing's picks for it; its webhook
 * bodies are scrubbed to type and lead id, and lead.erased is queued), and a suppression keeps the
 * address from being enrolled again. Only an anonymous count per day, campaign and stage remains
 * (lead_erasures). Temporal goes first: if it is unreachable nothing is deleted and the request can
 * be repeated. Temporal goes last too: a start that raced the first deletion (an enrolment or the
 * start relay) is deleted then, and a start after the rows are gone finds no row and deletes its
 * own run (startLeadWorkflow).
 */
export async function eraseLead(deps: Pick<IntakeDeps, 'pool' | 'client' | 'taskQueue'>, leadId: string): Promise<void> {
  assertLeadId(leadId);
  const lead = await findLeadRow(deps.pool, { leadId });
  if (!lead) throw new UnknownLeadError(leadId);
  const emailNormalized = lead.email_normalized;
  await eraseLeadRuns(deps.client, leadId);
  const webhooksPending = await withTransaction(deps.pool, async (db) => {
    await suppress(deps.pool, emailNormalized, db);
    await deleteLeadCounted(db, leadId);
    await forgetPicksOf(db, leadId);
    // email_log is mail's table; emails to the address without a lead id are not reached by the cascade.
    await db.query('DELETE FROM email_log WHERE lower(recipient) = $1', [emailNormalized]);
    // After the lead row is gone: its webhook bodies keep only type and lead id, lead.erased follows them.
    return eraseLeadDeliveries(db, leadId);
  });
  if (webhooksPending) await wakeWebhookDelivery(deps.client, deps.taskQueue, leadId);
  await eraseLeadRuns(deps.client, leadId);
}
