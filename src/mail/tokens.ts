// Signed tokens for the public email links: open pixel, click redirect, unsubscribe.
// A token is `<payload>.<mac>`, both base64url: the payload is JSON naming the purpose, the lead and,
// for a click, the destination URL; the MAC is HMAC-SHA256 over the payload with a key derived from
// TRACKING_SECRET for that purpose, truncated to 128 bits. Anything that does not verify is "no such
// token": callers answer 404 and record nothing. The redirect target only ever comes from a verified
// payload, never from the query string.
import { createHmac, timingSafeEqual } from 'node:crypto';

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
  mail: string;
  url: string;
}
export interface UnsubscribeToken {
  kind: 'unsubscribe';
  leadId: string;
}
export type TrackingToken = OpenToken | ClickToken | UnsubscribeToken;

const KIND_CODE: Record<TokenKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };
const MAC_BYTES = 16;
/** Tokens longer than this are refused before any work (URLs sealed in click tokens stay well below). */
export const MAX_TOKEN_LENGTH = 4096;

function keyFor(secret: string, kind: TokenKind): Buffer {
  return createHmac('sha256', secret).update(`leadloop/token/v1/${kind}`).digest();
}

function mac(secret: string, kind: TokenKind, payload: string): Buffer {
  return createHmac('sha256', keyFor(secret, kind)).update(payload).digest().subarray(0, MAC_BYTES);
}

export function signToken(secret: string, token: TrackingToken): string {
  const body: Record<string, string> = { k: KIND_CODE[token.kind], l: token.leadId };
  if (token.kind !== 'unsubscribe') body.m = token.mail;
  if (token.kind === 'click') body.u = token.url;
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(secret, token.kind, payload).toString('base64url')}`;
}

/** The token's content when it was signed with `secret` for `kind`; otherwise null. Never throws. */
export function verifyToken<K extends TokenKind>(secret: string, kind: K, token: string): Extract<TrackingToken, { kind: K }> | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(given)) return null;
  const givenMac = Buffer.from(given, 'base64url');
  const expected = mac(secret, kind, payload);
  if (givenMac.length !== expected.length || !timingSafeEqual(givenMac, expected)) return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (body === null || typeof body !== 'object' || body.k !== KIND_CODE[kind] || typeof body.l !== 'string') return null;
  switch (kind) {
    case 'unsubscribe':
      return { kind: 'unsubscribe', leadId: body.l } as Extract<TrackingToken, { kind: K }>;
    case 'open':
      if (typeof body.m !== 'string') return null;
      return { kind: 'open', leadId: body.l, mail: body.m } as Extract<TrackingToken, { kind: K }>;
    case 'click':
      if (typeof body.m !== 'string' || typeof body.u !== 'string' || !isTrackableUrl(body.u)) return null;
      return { kind: 'click', leadId: body.l, mail: body.m, url: body.u } as Extract<TrackingToken, { kind: K }>;
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
  secret: string;
}

export const unsubscribeUrl = (links: TrackingLinks, leadId: string): string =>
  `${links.baseUrl}/u/${signToken(links.secret, { kind: 'unsubscribe', leadId })}`;
export const openPixelUrl = (links: TrackingLinks, leadId: string, mail: string): string =>
  `${links.baseUrl}/t/o/${signToken(links.secret, { kind: 'open', leadId, mail })}`;
export const clickUrl = (links: TrackingLinks, leadId: string, mail: string, url: string): string =>
  `${links.baseUrl}/t/c/${signToken(links.secret, { kind: 'click', leadId, mail, url })}`;

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?]/g;

/** Rewrites every http(s) URL in a plain-text body to its click-tracking URL. */
export function rewriteLinks(links: TrackingLinks, leadId: string, mail: string, text: string): string {
  return text.replace(URL_IN_TEXT, (url) => (url.startsWith(`${links.baseUrl}/`) || !isTrackableUrl(url) ? url : clickUrl(links, leadId, mail, url)));
}
