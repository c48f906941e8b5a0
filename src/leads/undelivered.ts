// Owner and escalation emails that never arrived: their retries ran out ('failed'), the address
// refused them for good ('bounced'), or the connection died before the server's answer ('unknown':
// it may have arrived; never sent again). Read from email_log, so the API shows them on the lead and the
// SLA board whatever process sent them.
import type { Pool } from 'pg';
import type { UndeliveredNotice } from '../schemas/notices';

export type { UndeliveredNotice };

/**
 * SQL for one lead's undelivered notices as a JSON array, newest first. `lead` is the SQL expression
 * of its lead_id; with `cycle`, only that cycle's (the keys are `owner:<lead>:<cycle>:<assignment>`
 * and `sla:<lead>:<cycle>:<breach>`, activities/index.ts).
 */
export function undeliveredNoticesSql(lead: string, cycle?: string): string {
  const inCycle = cycle ? ` AND split_part(e.idempotency_key, ':', 3) = (${cycle})::text` : '';
  return `(SELECT COALESCE(json_agg(json_build_object('kind', e.kind, 'status', e.status, 'at', e.failed_at, 'error', e.error) ORDER BY e.failed_at DESC), '[]'::json)
             FROM email_log e
            WHERE e.lead_id = ${lead} AND e.kind IN ('owner', 'escalation') AND e.status IN ('failed', 'bounced', 'unknown')${inCycle})`;
}

interface NoticeJson {
  kind: UndeliveredNotice['kind'];
  status: UndeliveredNotice['status'];
  at: string | null;
  error: string | null;
}

/** PostgreSQL's json timestamps as ISO strings. */
export function toNotices(rows: NoticeJson[] | null): UndeliveredNotice[] {
  return (rows ?? []).map((n) => ({ kind: n.kind, status: n.status, at: n.at ? new Date(n.at).toISOString() : new Date(0).toISOString(), error: n.error }));
}

export async function loadUndeliveredNotices(pool: Pool, leadId: string): Promise<UndeliveredNotice[]> {
  const { rows } = await pool.query<{ notices: NoticeJson[] }>(`SELECT ${undeliveredNoticesSql('$1::uuid')} AS notices`, [leadId]);
  return toNotices(rows[0]?.notices ?? null);
}

export interface SentEmail {
  kind: 'nurture' | 'owner' | 'escalation';
  status: string;
  subject: string;
  at: string;
}

/** The emails of one lead (email_log), newest first, at most `limit`: the lead page's timeline. */
export async function loadSentEmails(pool: Pool, leadId: string, limit: number): Promise<SentEmail[]> {
  const { rows } = await pool.query<{ kind: SentEmail['kind']; status: string; subject: string; at: Date }>(
    `SELECT kind, status, subject, COALESCE(sent_at, failed_at, claimed_at) AS at FROM email_log
      WHERE lead_id = $1 ORDER BY COALESCE(sent_at, failed_at, claimed_at) DESC LIMIT $2`,
    [leadId, limit],
  );
  return rows.map((r) => ({ kind: r.kind, status: r.status, subject: r.subject, at: r.at.toISOString() }));
}
