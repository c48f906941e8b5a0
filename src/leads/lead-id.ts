import { UnknownLeadError } from './errors';

/** Lead ids are UUIDs; anything else cannot name a lead (and must not reach a uuid column). */
export const LEAD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertLeadId(leadId: string): void {
  if (!LEAD_ID_PATTERN.test(leadId)) throw new UnknownLeadError(leadId);
}
