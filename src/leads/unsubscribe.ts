// Opt-out: stored first (the email activity checks it too), then the workflow is told.
import type { IntakeDeps } from './deps';
import { UnknownLeadError } from './errors';
import { assertLeadId } from './lead-id';
import { markUnsubscribed } from './store';
import { signalUnsubscribe } from './workflow-client';

export async function unsubscribeLead(deps: Pick<IntakeDeps, 'pool' | 'client'>, leadId: string): Promise<void> {
  assertLeadId(leadId);
  if (!(await markUnsubscribed(deps.pool, leadId))) throw new UnknownLeadError(leadId);
  await signalUnsubscribe(deps.client, leadId);
}
