// Opt-out: stored first (the email activity checks it too), then the workflow is told.
import type { IntakeDeps } from './deps';
import { UnknownLeadError } from './errors';
import { assertLeadId } from './lead-id';
import { markUnsubscribed } from './store';
import type { SignalledBy } from '../../workflows/messages';
import { signalUnsubscribe } from './workflow-client';

/** `by.actor`: who asked through the API; absent for the lead's own link. */
export async function unsubscribeLead(deps: Pick<IntakeDeps, 'pool' | 'client'>, leadId: string, by: SignalledBy = {}): Promise<void> {
  assertLeadId(leadId);
  if (!(await markUnsubscribed(deps.pool, leadId))) throw new UnknownLeadError(leadId);
  await signalUnsubscribe(deps.client, leadId, by);
}
