// Signed links of the sales workspace: a lead page link (one rep, one assignment of one lead) and a
// queue link (one rep), signed with APP_LINK_SECRET as src/signing/signed-payload.ts does (the same
// shape as the email links' tokens, with keys of their own), plus the CSRF token of a page's forms.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { openPayload, sealPayload, secretKeys } from '../signing/signed-payload';

/** Which assignment a lead link belongs to: a new one (reassigned, recycled and MQL again) has another. */
export interface Assignment {
  cycle: number;
  /** Seq of the transition that gave the lead to this owner (mql, sla_breached or assigned). */
  seq: number;
}

export interface LeadLinkToken extends Assignment {
  kind: 'lead';
  leadId: string;
  /** The rep's email as the lead's owner field holds it. */
  rep: string;
  expiresAt: number;
}

export interface QueueLinkToken {
  kind: 'queue';
  rep: string;
  expiresAt: number;
}

export type LinkToken = LeadLinkToken | QueueLinkToken;

/** Lead and queue links open for 30 days. */
export const LINK_TTL_MS = 30 * 24 * 3_600_000;
/** Anything longer is refused unread (a 320-character email address fits with room to spare). */
export const MAX_LINK_TOKEN_LENGTH = 700;
const KIND_CODE = { lead: 'l', queue: 'q' } as const;
const purposeOf = (kind: LinkToken['kind']): string => `leadloop/app-link/v1/${kind}`;

/** Signs with the newest key of `secret`. */
export function signLinkToken(secret: string, token: LinkToken): string {
  const body =
    token.kind === 'lead'
      ? { k: KIND_CODE.lead, l: token.leadId, r: token.rep, c: token.cycle, s: token.seq, e: Math.floor(token.expiresAt / 1000) }
      : { k: KIND_CODE.queue, r: token.rep, e: Math.floor(token.expiresAt / 1000) };
  return sealPayload(secret, purposeOf(token.kind), body, 'APP_LINK_SECRET');
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * The token's content when it was signed for `kind` with any key of `secret`, expired or not
 * (the caller tells expired from unknown); null for anything else. Never throws.
 */
export function verifyLinkToken<K extends LinkToken['kind']>(secret: string | undefined, kind: K, token: unknown): Extract<LinkToken, { kind: K }> | null {
  if (!secret) return null;
  const body = openPayload(secret, purposeOf(kind), token, MAX_LINK_TOKEN_LENGTH);
  if (body === null || body.k !== KIND_CODE[kind] || !isText(body.r, 320) || !isCount(body.e)) return null;
  const expiresAt = body.e * 1000;
  if (kind === 'queue') return { kind: 'queue', rep: body.r, expiresAt } as Extract<LinkToken, { kind: K }>;
  if (!isText(body.l, 64) || !isCount(body.c) || !isCount(body.s)) return null;
  return { kind: 'lead', leadId: body.l, rep: body.r, cycle: body.c, seq: body.s, expiresAt } as Extract<LinkToken, { kind: K }>;
}

/** The form token of a page: bound to its link token, so a form works only for the page it came from. */
export function csrfTokenFor(secret: string, linkToken: string): string {
  const key = secretKeys(secret)[0] ?? '';
  return createHmac('sha256', key).update(`csrf:${linkToken}`).digest('base64url');
}

/** Constant-time check of a posted form token against every key (a rotation keeps open pages working). */
export function csrfTokenMatches(secret: string, linkToken: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== 43) return false;
  const presented = Buffer.from(given);
  let ok = false;
  for (const key of secretKeys(secret)) {
    const expected = Buffer.from(createHmac('sha256', key).update(`csrf:${linkToken}`).digest('base64url'));
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) ok = true;
  }
  return ok;
}

export const leadLinkPath = (token: string): string => `/app/leads/${token}`;
export const queueLinkPath = (token: string): string => `/app/queue/${token}`;
