// Suppression of erased people: a keyed hash of the normalized email is kept after an erase, so that
// a re-import or a tool re-enrolling the address does not start emailing them again.
import { createHmac } from 'node:crypto';
import type { Pool } from 'pg';
import { normalizeEmail } from '../../schemas/common';
import type { Queryable } from './queryable';

const keys = new WeakMap<object, Promise<string>>();

/** The installation's hash key (migration 009), read once per pool. */
function keyOf(pool: Pool): Promise<string> {
  let key = keys.get(pool);
  if (!key) {
    key = pool.query<{ value: string }>("SELECT value FROM installation_keys WHERE name = 'suppression'").then(({ rows }) => {
      if (!rows[0]) throw new Error('installation key "suppression" missing: run npm run migrate');
      return rows[0].value;
    });
    key.catch(() => keys.delete(pool));
    keys.set(pool, key);
  }
  return key;
}

export async function emailHashes(pool: Pool, emails: readonly string[]): Promise<string[]> {
  const key = await keyOf(pool);
  return emails.map((e) => createHmac('sha256', key).update(normalizeEmail(e)).digest('base64url'));
}

/** The emails among `emails` that belong to erased people (compared normalized). */
export async function suppressedAmong(pool: Pool, emails: readonly string[], db: Queryable = pool): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const hashes = await emailHashes(pool, emails);
  const { rows } = await db.query<{ email_hash: string }>('SELECT email_hash FROM lead_suppressions WHERE email_hash = ANY ($1)', [hashes]);
  const found = new Set(rows.map((r) => r.email_hash));
  return new Set(emails.filter((_, i) => found.has(hashes[i]!)).map(normalizeEmail));
}

export async function suppress(pool: Pool, email: string, db: Queryable = pool): Promise<void> {
  const [hash] = await emailHashes(pool, [email]);
  await db.query('INSERT INTO lead_suppressions (email_hash) VALUES ($1) ON CONFLICT (email_hash) DO NOTHING', [hash]);
}

/** Consent renewed: the person may be enrolled again. */
export async function liftSuppressions(pool: Pool, emails: readonly string[]): Promise<void> {
  if (emails.length === 0) return;
  await pool.query('DELETE FROM lead_suppressions WHERE email_hash = ANY ($1)', [await emailHashes(pool, emails)]);
}
