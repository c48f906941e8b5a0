// Signed links of the sales workspace: a lead page link (one rep, one assignment of one lead) and a
// queue link (one rep). A token is `<payload>.<mac>`, both base64url, as the tracking tokens of
// src/mail/tokens.ts: the payload is compact JSON, the MAC HMAC-SHA256 (truncated to 128 bits) with
// a key derived from an APP_LINK_SECRET key for the token's kind. APP_LINK_SECRET may list several
// keys, newest first: new tokens use the first, any verifies (rotation). Tokens are bounded in
// length and checked character by character before any decoding, and MACs compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { trackingKeys } from '../mail/tokens';

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
const MAC_BYTES = 16;
const KIND_CODE = { lead: 'l', queue: 'q' } as const;

const keyFor = (secret: string, kind: LinkToken['kind']): Buffer => createHmac('sha256', secret).update(`leadloop/app-link/v1/${kind}`).digest();
const macOf = (secret: string, kind: LinkToken['kind'], payload: string): Buffer => createHmac('sha256', keyFor(secret, kind)).update(payload).digest().subarray(0, MAC_BYTES);

/** Signs with the newest key of `secret`. */
export function signLinkToken(secret: string, token: LinkToken): string {
  const key = trackingKeys(secret)[0];
  if (!key) throw new TypeError('APP_LINK_SECRET holds no key');
  const body =
    token.kind === 'lead'
      ? { k: KIND_CODE.lead, l: token.leadId, r: token.rep, c: token.cycle, s: token.seq, e: Math.floor(token.expiresAt / 1000) }
      : { k: KIND_CODE.queue, r: token.rep, e: Math.floor(token.expiresAt / 1000) };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${macOf(key, token.kind, payload).toString('base64url')}`;
}

/** Base64url characters only: a loop, no pattern to backtrack. */
function isBase64Url(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95;
    if (!ok) return false;
  }
  return true;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * The token's content when it was signed for `kind` with any key of `secret`, expired or not
 * (the caller tells expired from unknown); null for anything else. Never throws.
 */
export function verifyLinkToken<K extends LinkToken['kind']>(secret: string | undefined, kind: K, token: unknown): Extract<LinkToken, { kind: K }> | null {
  if (!secret || typeof token !== 'string' || token.length > MAX_LINK_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = token.slice(dot + 1);
  if (!isBase64Url(payload) || !isBase64Url(given)) return null;
  const givenMac = Buffer.from(given, 'base64url');
  let signed = false;
  for (const key of trackingKeys(secret)) {
    const expected = macOf(key, kind, payload);
    if (givenMac.length === expected.length && timingSafeEqual(givenMac, expected)) signed = true;
  }
  if (!signed) return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object' || body.k !== KIND_CODE[kind] || !isText(body.r, 320) || !isCount(body.e)) return null;
  const expiresAt = body.e * 1000;
  if (kind === 'queue') return { kind: 'queue', rep: body.r, expiresAt } as Extract<LinkToken, { kind: K }>;
  if (!isText(body.l, 64) || !isCount(body.c) || !isCount(body.s)) return null;
  return { kind: 'lead', leadId: body.l, rep: body.r, cycle: body.c, seq: body.s, expiresAt } as Extract<LinkToken, { kind: K }>;
}

/** The form token of a page: bound to its link token, so a form works only for the page it came from. */
export function csrfTokenFor(secret: string, linkToken: string): string {
  const key = trackingKeys(secret)[0] ?? '';
  return createHmac('sha256', key).update(`csrf:${linkToken}`).digest('base64url');
}

/** Constant-time check of a posted form token against every key (a rotation keeps open pages working). */
export function csrfTokenMatches(secret: string, linkToken: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== 43) return false;
  const presented = Buffer.from(given);
  let ok = false;
  for (const key of trackingKeys(secret)) {
    const expected = Buffer.from(createHmac('sha256', key).update(`csrf:${linkToken}`).digest('base64url'));
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) ok = true;
  }
  return ok;
}

export const leadLinkPath = (token: string): string => `/app/leads/${token}`;
export const queueLinkPath = (token: string): string => `/app/queue/${token}`;
