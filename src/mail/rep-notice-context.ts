// What an email to a sales person needs besides the command: the lead's name, company and title,
// the reader's language and zone (user directory), the lead's configuration (SLA, rules) and the
// current assignment (for the signed lead link), all read at send time.
import type { Queryable } from '../leads/store/queryable';
import { resolveLeadConfig } from '../catalog/store';
import type { LeadConfig } from '../domain/lead-state';
import { findLeadRow, newestAssignments } from '../leads/store';
import { normalizeEmail } from '../schemas/common';
import { findUser } from '../users/store';
import type { Assignment } from '../workspace/link-tokens';
import type { NoticeLead, NoticeReader } from './rep-notice';

export interface NoticeContext {
  lead: NoticeLead;
  reader: NoticeReader;
  config: LeadConfig | null;
}

/** Pinned catalog versions never change, so each one is read and parsed once per pool (a burst of handoffs shares it). */
const CACHED_CONFIGS = 64;
const configCaches = new WeakMap<Queryable, Map<string, Promise<LeadConfig | null>>>();

function pinnedConfig(db: Queryable, row: NonNullable<Awaited<ReturnType<typeof findLeadRow>>>): Promise<LeadConfig | null> {
  const pinned = { campaignVersion: row.campaign_version, modelId: row.scoring_model_id, modelVersion: row.scoring_model_version, shadowModelId: null };
  const key = JSON.stringify([row.campaign_id, pinned.campaignVersion, pinned.modelId, pinned.modelVersion]);
  let cache = configCaches.get(db);
  if (!cache) configCaches.set(db, (cache = new Map()));
  let config = cache.get(key);
  if (!config) {
    // A failed read is not kept: the next email tries again.
    config = resolveLeadConfig(db, row.campaign_id, pinned).catch(() => {
      cache.delete(key);
      return null;
    });
    if (cache.size >= CACHED_CONFIGS) cache.delete(cache.keys().next().value!);
    cache.set(key, config);
  }
  return config;
}

/**
 * The recipient's language and zone, kept 10 seconds: a burst of handoffs and escalations writes to
 * a few reps and one manager, and a change in the directory reaches their next emails soon after.
 */
const READER_TTL_MS = 10_000;
const CACHED_READERS = 500;
const readerCaches = new WeakMap<Queryable, Map<string, { at: number; user: Promise<{ locale: string; time_zone: string | null } | null> }>>();

function recipientOf(db: Queryable, recipient: string): Promise<{ locale: string; time_zone: string | null } | null> {
  const key = normalizeEmail(recipient);
  let cache = readerCaches.get(db);
  if (!cache) readerCaches.set(db, (cache = new Map()));
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < READER_TTL_MS) return hit.user;
  const user = findUser(db, key).then((u) => (u ? { locale: u.locale, time_zone: u.time_zone } : null));
  user.catch(() => cache.delete(key));
  if (cache.size >= CACHED_READERS) cache.delete(cache.keys().next().value!);
  cache.set(key, { at: Date.now(), user });
  return user;
}

/** `teamZone`: the policy's business-hours zone, the reader's fallback (then UTC); English unless the directory says ja. */
export async function noticeContext(db: Queryable, leadId: string, recipient: string, teamZone: string | undefined): Promise<NoticeContext> {
  const [row, user] = await Promise.all([findLeadRow(db, { leadId }), recipientOf(db, recipient)]);
  const config = row ? await pinnedConfig(db, row) : null;
  return {
    lead: { name: row?.name ?? null, company: row?.company ?? null, title: row?.title ?? null },
    reader: { lang: user?.locale === 'ja' ? 'ja' : 'en', timeZone: user?.time_zone ?? teamZone ?? config?.policy.businessHours?.timeZone ?? null },
    config,
  };
}

/** The lead's current assignment as PostgreSQL has recorded it (reminders come long after it). */
export async function recordedAssignment(db: Queryable, leadId: string): Promise<Assignment | null> {
  return (await newestAssignments(db, [leadId])).get(leadId) ?? null;
}
