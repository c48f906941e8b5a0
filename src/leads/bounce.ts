// Ops clear a lead's bounce flag (the address works again, or the bounce was a mistake): email may
// go to the lead again and its nurture resumes.
import type { IntakeDeps } from './deps';
import { UnknownLeadError } from './errors';
import { assertLeadId } from './lead-id';
import { clearBounceFlag } from './store';
import type { SignalledBy } from '../../workflows/messages';
import { signalClearBounce } from './workflow-client';

/**
 * Clears the flag in PostgreSQL first (the nurture activity reads it there before each email), then
 * tells the workflow, which records `bounce_cleared` and schedules the pending step. Idempotent.
 * Returns whether the row was flagged.
 */
export async function clearBounce(deps: Pick<IntakeDeps, 'pool' | 'client'>, leadId: string, by: SignalledBy = {}): Promise<{ wasBounced: boolean }> {
  assertLeadId(leadId);
  const cleared = await clearBounceFlag(deps.pool, leadId);
  if (!cleared) throw new UnknownLeadError(leadId);
  // Signalled even when the row was not flagged: the workflow's flag may not be recorded yet.
  await signalClearBounce(deps.client, leadId, by);
  return cleared;
}
