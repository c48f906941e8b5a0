// Signed tokens for the public email links: open pixel, click redirect, unsubscribe.
// A token is `<payload>.<mac>`, both base64url: the payload is JSON naming the purpose, the lead and,
// for a click, the destination (the URL itself, or the hash of a URL stored in `tracked_urls` when it
// is too long to embed) and an expiry; the MAC is HMAC-SHA256 over the payload with a key derived
// from a TRACKING_SECRET key for that purpose, truncated to 128 bits. TRACKING_SECRET may list
// several keys, comma-separated, newest first: new tokens use the newest, verification accepts
// any, so a rotation leaves the links of emails already sent working. Anything that does not verify
// is "no such token": callers answer 404 and record nothing. The redirect target only ever comes
// from a verified payload (or the stored URL its hash names), never from the query string.
import { createHash } from 'node:crypto';
import { openPayload, sealPayload } from '../signing/signed-payload';

export type TokenKind = 'open' | 'click' | 'unsubscribe';

export interface OpenToken {
  kind: 'open';
  leadId: string;
  /** The email this pixel belongs to (its idempotency key): one open event per email. */
  mail: string;
}
export interface ClickToken {
  kind: 'click';
  leadId: string;
  /** Identifies the email (a digest of its idempotency key in new tokens): one click event per email and URL. */
  mail: string;
  /** The destination, when embedded in the token. */
  url?: string;
  /** The destination's urlHash(), when it is stored server side instead (long URLs). */
  urlHash?: string;
  /** Epoch ms after which the link answers 410; absent in tokens signed before links expired. */
  expiresAt?: number;
}
export interface UnsubscribeToken {
  kind: 'unsubscribe';
  leadId: string;
}
export type TrackingToken = OpenToken | ClickToken | UnsubscribeToken;

const KIND_CODE: Record<TokenKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
/** Tokens longer than this are refused before any work (URLs sealed in click tokens stay well below). */
export const MAX_TOKEN_LENGTH = 4096;
/** Click links longer than this carry the hash of a stored URL instead of the URL (mail clients and scanners cut long links). */
export const MAX_CLICK_LINK_LENGTH = 500;
/** How long a click link redirects (TRACKING_LINK_TTL): one year. */
export const DEFAULT_CLICK_TTL_MS = 365 * 24 * 3_600_000;

const purposeOf = (kind: TokenKind): string => `leadloop/token/v1/${kind}`;

/** The stored-URL key of a click destination. */
export const urlHash = (url: string): string => createHash('sha256').update(url).digest('base64url');
const mailDigest = (mail: string): string => createHash('sha256').update(mail).digest('base64url').slice(0, 22);

/** Signs with the newest key of `secret`. */
export function signToken(secret: string, token: TrackingToken): string {
  const body: Record<string, string | number> = { k: KIND_CODE[token.kind], l: token.leadId };
  if (token.kind !== 'unsubscribe') body.m = token.mail;
  if (token.kind === 'click') {
    if (token.url !== undefined) body.u = token.url;
    if (token.urlHash !== undefined) body.h = token.urlHash;
    if (token.expiresAt !== undefined) body.e = Math.floor(token.expiresAt / 1000);
  }
  return sealPayload(secret, purposeOf(token.kind), body, 'TRACKING_SECRET');
}

/** The token's content when it was signed with any key of `secret` for `kind`; otherwise null. Never throws. */
export function verifyToken<K extends TokenKind>(secret: string, kind: K, token: string): Extract<TrackingToken, { kind: K }> | null {
  const body = openPayload(secret, purposeOf(kind), token, MAX_TOKEN_LENGTH);
  if (body === null || body.k !== KIND_CODE[kind] || typeof body.l !== 'string') return null;
  switch (kind) {
    case 'unsubscribe':
      return { kind: 'unsubscribe', leadId: body.l } as Extract<TrackingToken, { kind: K }>;
    case 'open':
      if (typeof body.m !== 'string') return null;
      return { kind: 'open', leadId: body.l, mail: body.m } as Extract<TrackingToken, { kind: K }>;
    case 'click': {
      if (typeof body.m !== 'string') return null;
      const url = typeof body.u === 'string' && isTrackableUrl(body.u) ? body.u : undefined;
      const hash = typeof body.h === 'string' ? body.h : undefined;
      if ((url === undefined) === (hash === undefined)) return null;
      if (body.e !== undefined && (typeof body.e !== 'number' || !Number.isSafeInteger(body.e))) return null;
      const click: ClickToken = { kind: 'click', leadId: body.l, mail: body.m };
      if (url !== undefined) click.url = url;
      if (hash !== undefined) click.urlHash = hash;
      if (typeof body.e === 'number') click.expiresAt = body.e * 1000;
      return click as Extract<TrackingToken, { kind: K }>;
    }
    default:
      return null;
  }
}

/** Only absolute http(s) URLs are sealed into click tokens (no javascript:, data:, relative paths). */
export function isTrackableUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface TrackingLinks {
  baseUrl: string;
  /** TRACKING_SECRET: one key or several (comma-separated, newest first). */
  secret: string;
  /** Lifetime of click links (TRACKING_LINK_TTL); default DEFAULT_CLICK_TTL_MS. */
  clickTtlMs?: number;
}

export const unsubscribeUrl = (links: TrackingLinks, leadId: string): string =>
  `${links.baseUrl}/u/${signToken(links.secret, { kind: 'unsubscribe', leadId })}`;
export const openPixelUrl = (links: TrackingLinks, leadId: string, mail: string): string =>
  `${links.baseUrl}/t/o/${signToken(links.secret, { kind: 'open', leadId, mail })}`;

/** A click-tracking link; `stored` is set when its URL must be stored (storeTrackedUrls) before the email goes out. */
export interface ClickLink {
  link: string;
  stored: { hash: string; url: string } | null;
}

/** The click link of `url` in the email `mail`: the URL embedded when the link stays short, else its stored hash. */
export function clickLink(links: TrackingLinks, leadId: string, mail: string, url: string, now = Date.now()): ClickLink {
  const base = { kind: 'click' as const, leadId, mail: mailDigest(mail), expiresAt: now + (links.clickTtlMs ?? DEFAULT_CLICK_TTL_MS) };
  const embedded = `${links.baseUrl}/t/c/${signToken(links.secret, { ...base, url })}`;
  if (embedded.length <= MAX_CLICK_LINK_LENGTH) return { link: embedded, stored: null };
  const hash = urlHash(url);
  return { link: `${links.baseUrl}/t/c/${signToken(links.secret, { ...base, urlHash: hash })}`, stored: { hash, url } };
}
