// Long click destinations, stored server side and named by their hash in the click token.
import type { Pool } from 'pg';
import { urlHash } from './tokens';

/** Stores the URLs (idempotent: a hash already present is left alone). */
export async function storeTrackedUrls(pool: Pool, urls: readonly { hash: string; url: string }[]): Promise<void> {
  if (urls.length === 0) return;
  await pool.query(
    `INSERT INTO tracked_urls (url_hash, url) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (url_hash) DO NOTHING`,
    [urls.map((u) => u.hash), urls.map((u) => u.url)],
  );
}

/** The stored URL of `hash`, or null (also when the row does not match its hash). */
export async function loadTrackedUrl(pool: Pool, hash: string): Promise<string | null> {
  const { rows } = await pool.query<{ url: string }>('SELECT url FROM tracked_urls WHERE url_hash = $1', [hash]);
  const url = rows[0]?.url;
  return url !== undefined && urlHash(url) === hash ? url : null;
}
