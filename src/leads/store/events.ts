// lead_events: the durable log of behaviour events (the workflow scores its bounded copy).
import type { ScorableEvent } from '../../domain/scoring';
import type { Queryable } from './queryable';

export interface NewEvent {
  eventId: string;
  leadId: string;
  type: string;
  /** ISO timestamp. */
  occurredAt: string;
  properties: Record<string, unknown>;
}

/** Stores one event of an existing lead; false when the eventId is known already or the lead does not exist. */
export async function insertEvent(db: Queryable, e: NewEvent): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO lead_events (event_id, lead_id, type, occurred_at, properties)
     SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM leads WHERE lead_id = $2)
     ON CONFLICT (event_id) DO NOTHING RETURNING lead_id`,
    [e.eventId, e.leadId, e.type, e.occurredAt, JSON.stringify(e.properties)],
  );
  return (rowCount ?? 0) > 0;
}

/** insertEvent for many, in one statement (input order decides which of two equal eventIds wins); returns the eventIds stored. */
export async function insertEvents(db: Queryable, events: readonly NewEvent[]): Promise<string[]> {
  const { rows } = await db.query<{ event_id: string }>(
    `INSERT INTO lead_events (event_id, lead_id, type, occurred_at, properties)
     SELECT e.event_id, e.lead_id, e.type, e.occurred_at, e.properties
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY AS e(event_id, lead_id, type, occurred_at, properties, ord)
      WHERE EXISTS (SELECT 1 FROM leads l WHERE l.lead_id = e.lead_id)
      ORDER BY e.ord
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [events.map((e) => e.eventId), events.map((e) => e.leadId), events.map((e) => e.type), events.map((e) => e.occurredAt), events.map((e) => JSON.stringify(e.properties))],
  );
  return rows.map((r) => r.event_id);
}

/** The lead each of these stored eventIds belongs to (ids not stored are absent). */
export async function eventOwners(db: Queryable, eventIds: readonly string[]): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const { rows } = await db.query<{ event_id: string; lead_id: string }>('SELECT event_id, lead_id FROM lead_events WHERE event_id = ANY($1::text[])', [eventIds]);
  return new Map(rows.map((r) => [r.event_id, r.lead_id]));
}

export interface StoredEvent {
  event_id: string;
  type: string;
  occurred_at: Date;
  properties: Record<string, string | number | boolean>;
}

/** A lead's newest `limit` events, oldest first (replayed to a workflow started late). */
export async function recentEvents(db: Queryable, leadId: string, limit: number): Promise<StoredEvent[]> {
  const { rows } = await db.query<StoredEvent>('SELECT event_id, type, occurred_at, properties FROM lead_events WHERE lead_id = $1 ORDER BY occurred_at DESC LIMIT $2', [leadId, limit]);
  return rows.reverse();
}

export interface ScorableEventRow {
  lead_id: string;
  event_id: string;
  type: string;
  /** Epoch milliseconds, as text (bigint). */
  at: string;
  properties: ScorableEvent['properties'];
  /** 1 for the newest event of its lead. */
  rn: string;
}

/** The newest `perLead` events of each lead up to `now` (epoch ms), newest first per lead (what-if). */
export async function newestEventsOf(db: Queryable, leadIds: readonly string[], now: number, perLead: number): Promise<ScorableEventRow[]> {
  const { rows } = await db.query<ScorableEventRow>(
    `SELECT lead_id, event_id, type, at, properties, rn FROM (
       SELECT lead_id, event_id, type, (extract(epoch FROM occurred_at) * 1000)::bigint AS at, properties,
              row_number() OVER (PARTITION BY lead_id ORDER BY occurred_at DESC, event_id DESC) AS rn
         FROM lead_events WHERE lead_id = ANY ($1) AND occurred_at <= to_timestamp($2 / 1000.0)) e
      WHERE rn <= $3`,
    [leadIds, now, perLead],
  );
  return rows;
}
