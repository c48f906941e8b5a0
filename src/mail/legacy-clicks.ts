// Click tokens signed before click links expired carry no expiry, and some of them seal a URL that
// came from a lead's name (the open redirect this release closes). Such a token is honoured only
// while both hold: its URL is a link written in a stored campaign template (any campaign, any
// version: the answer must not depend on the lead, who may be erased), and the release that added
// expiry is less than one link lifetime old (the day migration 010 ran, plus TRACKING_LINK_TTL).
// Anything else answers 410, as an expired link does.
import type { Pool } from 'pg';
import { templateLinks } from './templates';

const RELEASE_MIGRATION = '010_tracked_urls.sql';
const REFRESH_MS = 60_000;

interface StepTemplates {
  body?: unknown;
  html?: unknown;
}

/** A check `(url) => honoured?` for click tokens without expiry; the catalog's links are re-read every minute. */
export function legacyClickCheck(pool: Pool, ttlMs: number, now: () => number = Date.now): (url: string) => Promise<boolean> {
  let cached: { at: number; cutoff: number; links: Set<string> } | null = null;
  const load = async () => {
    const applied = await pool.query<{ applied_at: Date }>('SELECT applied_at FROM schema_migrations WHERE name = $1', [RELEASE_MIGRATION]);
    const since = applied.rows[0]?.applied_at.getTime() ?? now();
    const links = new Set<string>();
    const { rows } = await pool.query<{ definition: { steps?: StepTemplates[]; recycleSteps?: StepTemplates[] } }>('SELECT definition FROM campaign_versions');
    for (const { definition } of rows) {
      for (const step of [...(definition.steps ?? []), ...(definition.recycleSteps ?? [])]) {
        if (typeof step.body === 'string') for (const url of templateLinks(step.body, 'text')) links.add(url);
        if (typeof step.html === 'string') for (const url of templateLinks(step.html, 'html')) links.add(url);
      }
    }
    return { at: now(), cutoff: since + ttlMs, links };
  };
  return async (url) => {
    if (!cached || now() - cached.at > REFRESH_MS) cached = await load();
    return now() < cached.cutoff && cached.links.has(url);
  };
}
