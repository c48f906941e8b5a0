// `<payload>.<mac>` tokens, both base64url: the payload is compact JSON, the MAC HMAC-SHA256 over it
// (truncated to 128 bits) with a key derived from one key of a secret and the token's purpose. A
// secret may list several keys, comma-separated, newest first: the newest signs, any verifies, so a
// rotation keeps the links already sent working. Used by the email links and the workspace links.
import { createHmac, timingSafeEqual } from 'node:crypto';

const MAC_BYTES = 16;

/** The keys of a secret value: one key, or several comma-separated, newest first. */
export function secretKeys(secret: string): string[] {
  if (!secret.includes(',')) return [secret];
  return secret
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

/** `purpose` names the key derivation, e.g. `leadloop/token/v1/open`: a token of one purpose never verifies as another. */
function macOf(key: string, purpose: string, payload: string): Buffer {
  const derived = createHmac('sha256', key).update(purpose).digest();
  return createHmac('sha256', derived).update(payload).digest().subarray(0, MAC_BYTES);
}

/** Signs `body` with the newest key of `secret`. */
export function sealPayload(secret: string, purpose: string, body: object, secretName: string): string {
  const key = secretKeys(secret)[0];
  if (!key) throw new TypeError(`${secretName} holds no key`);
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${macOf(key, purpose, payload).toString('base64url')}`;
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

/**
 * The JSON object a token carries when any key of `secret` signed it for `purpose`; null for
 * anything else (too long, malformed, another purpose, forged). Never throws.
 */
export function openPayload(secret: string, purpose: string, token: unknown, maxLength: number): Record<string, unknown> | null {
  if (typeof token !== 'string' || token.length > maxLength) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = token.slice(dot + 1);
  if (!isBase64Url(payload) || !isBase64Url(given)) return null;
  const givenMac = Buffer.from(given, 'base64url');
  let signed = false;
  for (const key of secretKeys(secret)) {
    const expected = macOf(key, purpose, payload);
    if (givenMac.length === expected.length && timingSafeEqual(givenMac, expected)) signed = true;
  }
  if (!signed) return null;
  try {
    const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
