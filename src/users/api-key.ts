// A user's API key: `llu_<keyId>_<secret>`. The key id finds the row; only the SHA-256 digest of the
// whole key is stored, and compared in constant time. Fixed lengths keep parsing a plain slice.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'llu_';
const KEY_ID_LENGTH = 16;
const SECRET_BYTES = 32;
/** base64url of 32 bytes, without padding. */
const SECRET_LENGTH = 43;
export const USER_KEY_LENGTH = PREFIX.length + KEY_ID_LENGTH + 1 + SECRET_LENGTH;

const KEY_ID = /^[0-9a-f]{16}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function keyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function newUserKey(): { keyId: string; apiKey: string; digest: Buffer } {
  const keyId = randomBytes(KEY_ID_LENGTH / 2).toString('hex');
  const apiKey = `${PREFIX}${keyId}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { keyId, apiKey, digest: keyDigest(apiKey) };
}

/** The key id of something shaped like a user key, else null (then it may be a role key of API_KEYS). */
export function userKeyId(presented: string): string | null {
  if (presented.length !== USER_KEY_LENGTH || !presented.startsWith(PREFIX)) return null;
  const keyId = presented.slice(PREFIX.length, PREFIX.length + KEY_ID_LENGTH);
  const rest = presented.slice(PREFIX.length + KEY_ID_LENGTH);
  return KEY_ID.test(keyId) && rest[0] === '_' && SECRET.test(rest.slice(1)) ? keyId : null;
}

export function keyMatches(presented: string, stored: Buffer): boolean {
  const given = keyDigest(presented);
  return stored.length === given.length && timingSafeEqual(stored, given);
}

/** Shape of a key id in a path. */
export const KEY_ID_PATTERN = KEY_ID;
