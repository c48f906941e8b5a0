// Absolute URLs of freshly signed workspace links, for emails and for the queue page.
import { signLinkToken, leadLinkPath, LINK_TTL_MS, queueLinkPath, type Assignment } from './link-tokens';

export interface LinkSigning {
  /** PUBLIC_BASE_URL without a trailing slash; '' gives paths from /. */
  baseUrl: string;
  /** APP_LINK_SECRET. */
  secret: string;
}

export const leadLinkUrl = (s: LinkSigning, leadId: string, rep: string, assignment: Assignment, now = Date.now()): string =>
  `${s.baseUrl}${leadLinkPath(signLinkToken(s.secret, { kind: 'lead', leadId, rep, cycle: assignment.cycle, seq: assignment.seq, expiresAt: now + LINK_TTL_MS }))}`;

export const queueLinkUrl = (s: LinkSigning, rep: string, now = Date.now()): string =>
  `${s.baseUrl}${queueLinkPath(signLinkToken(s.secret, { kind: 'queue', rep, expiresAt: now + LINK_TTL_MS }))}`;
