// All webhook SQL: subscriptions, the deliveries queued per event, and each attempt's outcome.
import type { Queryable } from '../leads/store/queryable';
import type { TransitionData, WebhookEvent } from './events';

/** Subscriptions one installation may hold (each event is stored once per matching subscription). */
export const MAX_SUBSCRIPTIONS = 50;

/**
 * How long a delivery waits for a lower seq of its lead to be recorded (the lead's activities run
 * on several lanes) before it goes anyway: order without a delivery stuck behind a lost record.
 */
export const ORDER_WAIT_MS = 120_000;

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'disabled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface SubscriptionRow {
  subscription_id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

export interface DeliveryRow {
  delivery_id: string;
  webhook_id: string;
  event_type: WebhookEvent;
  lead_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
}

const SUBSCRIPTION_COLUMNS = 'subscription_id, url, events, description, status, disabled_reason, created_at, disabled_at';

/** Null when MAX_SUBSCRIPTIONS are there already (a bound against misuse: two racing creations may both pass). */
export async function createSubscription(db: Queryable, s: { url: string; events: readonly WebhookEvent[]; description?: string; secret: string }): Promise<string | null> {
  const { rows } = await db.query<{ subscription_id: string }>(
    `INSERT INTO webhook_subscriptions (url, events, description, secret)
     SELECT $1, $2, $3, $4 WHERE (SELECT count(*) FROM webhook_subscriptions) < $5
     RETURNING subscription_id`,
    [s.url, s.events, s.description ?? null, s.secret, MAX_SUBSCRIPTIONS],
  );
  return rows[0]?.subscription_id ?? null;
}

export async function listSubscriptions(db: Queryable): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, subscription_id`);
  return rows;
}

export async function findSubscription(db: Queryable, id: string): Promise<SubscriptionRow | null> {
  const { rows } = await db.query<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE subscription_id = $1`, [id]);
  return rows[0] ?? null;
}

/** Its deliveries go with it (cascade): nothing could sign them any more. */
export async function deleteSubscription(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM webhook_subscriptions WHERE subscription_id = $1', [id]);
  return (rowCount ?? 0) > 0;
}

/** Newest first; `before`: the delivery id the previous page ended with. */
export async function listDeliveries(db: Queryable, subscriptionId: string, q: { status?: DeliveryStatus; before?: string; limit: number }): Promise<DeliveryRow[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT delivery_id::text, webhook_id, event_type, lead_id, status, attempts, last_status_code, last_error, created_at, last_attempt_at, delivered_at
       FROM webhook_deliveries
      WHERE subscription_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::bigint IS NULL OR delivery_id < $3)
      ORDER BY delivery_id DESC LIMIT $4`,
    [subscriptionId, q.status ?? null, q.before ?? null, q.limit],
  );
  return rows;
}

// One delivery per active subscription that wants the event, its body built from the lead row as it
// is now. FOR KEY SHARE waits for an erasure in progress: after it, the lead is gone and nothing is
// stored; before it, the erasure's scrub sees the row. The answer says whether the lead has any
// pending delivery, also when this event adds none (a retried record, or an event nobody wants).
const QUEUE_EVENT = `
  WITH lead AS (SELECT lead_id, campaign_id, email, name, company, title FROM leads WHERE lead_id = $1 FOR KEY SHARE),
  queued AS (
    INSERT INTO webhook_deliveries (subscription_id, lead_id, event_key, seq, event_type, webhook_id, payload)
    SELECT s.subscription_id, l.lead_id, $2, $3, $4,
           'msg_' || replace(l.lead_id::text, '-', '') || '_' || $2 || '_' || replace(s.subscription_id::text, '-', ''),
           jsonb_build_object('type', $4::text, 'timestamp', $5::text, 'data', $6::jsonb || jsonb_build_object(
             'leadId', l.lead_id, 'campaignId', l.campaign_id, 'email', l.email, 'name', l.name, 'company', l.company, 'title', l.title))
      FROM webhook_subscriptions s, lead l
     WHERE s.status = 'active' AND $4::text = ANY (s.events)
    ON CONFLICT (subscription_id, lead_id, event_key) DO NOTHING
    RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM queued) OR EXISTS (SELECT 1 FROM webhook_deliveries WHERE lead_id = $1 AND status = 'pending') AS pending`;

const ANY_PENDING = `SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE lead_id = $1 AND status = 'pending') AS pending`;

/**
 * Idempotent per (subscription, lead, seq); true when the lead's delivery workflow has work. Most
 * transitions are no event: they only ask (an index read, no row lock written on the lead).
 */
export async function queueTransitionEvent(db: Queryable, leadId: string, e: { type: WebhookEvent | null; seq: number; at: number; data: TransitionData }): Promise<boolean> {
  const { rows } = e.type
    ? await db.query<{ pending: boolean }>(QUEUE_EVENT, [leadId, String(e.seq), e.seq, e.type, new Date(e.at).toISOString(), JSON.stringify(e.data)])
    : await db.query<{ pending: boolean }>(ANY_PENDING, [leadId]);
  return rows[0]?.pending ?? false;
}

// Run in the erasure's transaction, after the lead row is deleted: every stored body of the lead
// keeps only its type, time and lead id, and lead.erased is queued behind them.
const SCRUB = `UPDATE webhook_deliveries
                  SET payload = jsonb_build_object('type', payload->'type', 'timestamp', payload->'timestamp', 'data', jsonb_build_object('leadId', lead_id))
                WHERE lead_id = $1`;
const QUEUE_ERASED = `
  INSERT INTO webhook_deliveries (subscription_id, lead_id, event_key, seq, event_type, webhook_id, payload)
  SELECT s.subscription_id, $1::uuid, 'erased', NULL, 'lead.erased',
         'msg_' || replace($1::text, '-', '') || '_erased_' || replace(s.subscription_id::text, '-', ''),
         jsonb_build_object('type', 'lead.erased', 'timestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', jsonb_build_object('leadId', $1::uuid))
    FROM webhook_subscriptions s
   WHERE s.status = 'active' AND 'lead.erased' = ANY (s.events)
  ON CONFLICT (subscription_id, lead_id, event_key) DO NOTHING`;

/** True when the lead has pending deliveries (its delivery workflow must be signalled). */
export async function eraseLeadDeliveries(db: Queryable, leadId: string): Promise<boolean> {
  await db.query(SCRUB, [leadId]);
  await db.query(QUEUE_ERASED, [leadId]);
  const { rows } = await db.query<{ pending: boolean }>(ANY_PENDING, [leadId]);
  return rows[0]?.pending ?? false;
}

export interface PendingHead {
  deliveryId: string;
  subscriptionId: string;
  /** 0: deliver now; else how long it may still wait for a lower seq of its lead to be recorded. */
  waitMs: number;
}

/**
 * The oldest pending delivery of the lead per subscription. It is due when every lower seq of the
 * lead is recorded (the seqs run 1, 2, 3…), when the lead is gone, or after ORDER_WAIT_MS.
 */
export async function pendingHeads(db: Queryable, leadId: string): Promise<PendingHead[]> {
  const { rows } = await db.query<{ delivery_id: string; subscription_id: string; wait_ms: string }>(
    `SELECT h.delivery_id::text, h.subscription_id::text,
            CASE WHEN h.seq IS NULL OR NOT EXISTS (SELECT 1 FROM leads WHERE lead_id = $1)
                   OR (SELECT count(*) FROM lead_transitions t WHERE t.lead_id = $1 AND t.seq < h.seq) >= h.seq - 1
                 THEN 0
                 ELSE greatest(0, ceil(extract(epoch FROM h.created_at + $2 * interval '1 millisecond' - now()) * 1000)) END AS wait_ms
       FROM (SELECT DISTINCT ON (subscription_id) delivery_id, subscription_id, seq, created_at
               FROM webhook_deliveries WHERE lead_id = $1 AND status = 'pending'
              ORDER BY subscription_id, seq NULLS LAST, delivery_id) h`,
    [leadId, ORDER_WAIT_MS],
  );
  return rows.map((r) => ({ deliveryId: r.delivery_id, subscriptionId: r.subscription_id, waitMs: Number(r.wait_ms) }));
}

export interface AttemptTarget {
  webhookId: string;
  subscriptionId: string;
  url: string;
  secret: string;
  payload: unknown;
}

/** Counts an attempt and reads what it sends (after an erasure: the scrubbed body); null when nothing is to be sent. */
export async function startAttempt(db: Queryable, deliveryId: string): Promise<AttemptTarget | null> {
  const { rows } = await db.query<{ webhook_id: string; subscription_id: string; url: string; secret: string; payload: unknown }>(
    `UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = now()
       FROM webhook_subscriptions s
      WHERE d.delivery_id = $1 AND d.status = 'pending' AND s.subscription_id = d.subscription_id AND s.status = 'active'
      RETURNING d.webhook_id, d.subscription_id::text, s.url, s.secret, d.payload`,
    [deliveryId],
  );
  const r = rows[0];
  return r ? { webhookId: r.webhook_id, subscriptionId: r.subscription_id, url: r.url, secret: r.secret, payload: r.payload } : null;
}

/** The outcome of an attempt; `delivered` settles the delivery. */
export async function recordAttempt(db: Queryable, deliveryId: string, o: { statusCode: number | null; error: string | null; delivered: boolean }): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries
        SET last_status_code = $2, last_error = $3,
            status = CASE WHEN $4 THEN 'delivered' ELSE status END,
            delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END
      WHERE delivery_id = $1 AND status = 'pending'`,
    [deliveryId, o.statusCode, o.error, o.delivered],
  );
}

/** The receiver said 410 Gone: the subscription stops, and its pending deliveries (of every lead) with it. */
export async function disableSubscription(db: Queryable, subscriptionId: string, reason: string): Promise<void> {
  await db.query(
    `WITH off AS (UPDATE webhook_subscriptions SET status = 'disabled', disabled_reason = $2, disabled_at = now()
                   WHERE subscription_id = $1 AND status = 'active')
     UPDATE webhook_deliveries SET status = 'disabled' WHERE subscription_id = $1 AND status = 'pending'`,
    [subscriptionId, reason],
  );
}

/** Retries are exhausted (or refused): the delivery waits for a manual retry. */
export async function markFailed(db: Queryable, deliveryId: string): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE delivery_id = $1 AND status = 'pending'`, [deliveryId]);
}

/**
 * A failed delivery of an active subscription back to pending (same webhook-id). A pending one
 * answers `pending` too: its wake may have been lost, so the caller wakes it again.
 */
export async function requeueDelivery(db: Queryable, subscriptionId: string, deliveryId: string): Promise<{ leadId: string } | 'not_found' | 'not_failed'> {
  const { rows } = await db.query<{ lead_id: string; requeued: boolean }>(
    `WITH requeued AS (
       UPDATE webhook_deliveries d SET status = 'pending'
         FROM webhook_subscriptions s
        WHERE d.delivery_id = $2 AND d.subscription_id = $1 AND d.status IN ('failed', 'pending') AND s.subscription_id = d.subscription_id AND s.status = 'active'
        RETURNING d.lead_id)
     SELECT lead_id, true AS requeued FROM requeued
     UNION ALL SELECT lead_id, false FROM webhook_deliveries WHERE delivery_id = $2 AND subscription_id = $1`,
    [subscriptionId, deliveryId],
  );
  if (rows.length === 0) return 'not_found';
  const done = rows.find((r) => r.requeued);
  return done ? { leadId: done.lead_id } : 'not_failed';
}

/**
 * Leads with pending deliveries none of which was tried (or queued) for `graceMs`: their wake was
 * lost (Temporal failed right after the rows were committed). A lead whose head is still being
 * retried was tried within the longest retry interval, so it is not among them.
 */
export async function stalledLeads(db: Queryable, graceMs: number, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ lead_id: string }>(
    `SELECT lead_id FROM webhook_deliveries WHERE status = 'pending'
      GROUP BY lead_id HAVING max(COALESCE(last_attempt_at, created_at)) < now() - $1 * interval '1 millisecond'
      LIMIT $2`,
    [graceMs, limit],
  );
  return rows.map((r) => r.lead_id);
}
