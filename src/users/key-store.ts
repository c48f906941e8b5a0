// The only code that runs SQL on user_api_keys (a user's API keys; the users table is users/store.ts).
import type { Queryable } from '../leads/store/queryable';
import type { UserRole } from '../schemas/user';

export interface KeyOwner {
  digest: Buffer;
  email: string;
  email_normalized: string;
  role: UserRole;
  team: string | null;
}

export async function insertUserKey(db: Queryable, keyId: string, emailNormalized: string, digest: Buffer): Promise<void> {
  await db.query('INSERT INTO user_api_keys (key_id, email_normalized, digest) VALUES ($1, $2, $3)', [keyId, emailNormalized, digest]);
}

/** The live key's digest and its user as the directory says now (so a change of role applies at once). */
export async function findKeyOwner(db: Queryable, keyId: string): Promise<KeyOwner | null> {
  const { rows } = await db.query<KeyOwner>(
    `SELECT k.digest, u.email, u.email_normalized, u.role, u.team
       FROM user_api_keys k JOIN users u USING (email_normalized)
      WHERE k.key_id = $1 AND k.revoked_at IS NULL`,
    [keyId],
  );
  return rows[0] ?? null;
}

/** True when a live key of this user was revoked now; a second call finds nothing. */
export async function revokeUserKey(db: Queryable, emailNormalized: string, keyId: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE user_api_keys SET revoked_at = now() WHERE key_id = $1 AND email_normalized = $2 AND revoked_at IS NULL', [keyId, emailNormalized]);
  return (rowCount ?? 0) > 0;
}

export interface KeyListing {
  key_id: string;
  created_at: Date;
  revoked_at: Date | null;
}

export async function listUserKeys(db: Queryable, emailNormalized: string): Promise<KeyListing[]> {
  const { rows } = await db.query<KeyListing>('SELECT key_id, created_at, revoked_at FROM user_api_keys WHERE email_normalized = $1 ORDER BY created_at, key_id', [emailNormalized]);
  return rows;
}
