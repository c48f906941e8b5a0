// Ops clear a lead's bounce flag (the address works again, or the bounce was a mistake): email may
// go to the lead again and its nurture resumes.
import { clearBounceSignal } from '../../workflows/messages';
import { LEAD_ID_PATTERN, signalIfRunning, UnknownLeadError, type IntakeDeps } from './intake';

/**
 * Clears the flag in PostgreSQL first (the nurture activity reads it there before each email), then
 * tells the workflow, which records `bounce_cleared` and schedules the pending step. Idempotent.
 * Returns whether the row was flagged.
 */
export async function clearBounce(deps: Pick<IntakeDeps, 'pool' | 'client'>, leadId: string): Promise<{ wasBounced: boolean }> {
  if (!LEAD_ID_PATTERN.test(leadId)) throw new UnknownLeadError(leadId);
  const { rows } = await deps.pool.query<{ was_bounced: boolean }>(
    `UPDATE leads l SET email_bounced_at = NULL, updated_at = now()
       FROM (SELECT lead_id, email_bounced_at IS NOT NULL AS was_bounced FROM leads WHERE lead_id = $1 FOR UPDATE) old
      WHERE l.lead_id = old.lead_id
     RETURNING old.was_bounced`,
    [leadId],
  );
  if (!rows[0]) throw new UnknownLeadError(leadId);
  // Signalled even when the row was not flagged: the workflow's flag may not be recorded yet.
  await signalIfRunning(deps, leadId, (h) => h.signal(clearBounceSignal));
  return { wasBounced: rows[0].was_bounced };
}
