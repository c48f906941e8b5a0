// Behaviour events: stored in lead_events (a repeated eventId is a duplicate), then signalled to the
// lead's workflow, always, so that a retry after a crash between the two still reaches it. The
// workflow ignores an eventId it has already seen.
import { randomUUID } from 'node:crypto';
import type { EngagementEvent } from '../domain/types';
import { engagementEventSchema, type EngagementEventInput } from '../schemas/lead';
import type { IntakeDeps } from './deps';
import { EventIdConflictError, UnknownLeadError } from './errors';
import { workflowEvent } from './event-properties';
import { assertLeadId } from './lead-id';
import { eventOwners, insertEvent, insertEvents } from './store';
import { signalEngagement } from './workflow-client';

export interface EventResult {
  eventId: string;
  duplicate: boolean;
}

/** The event as stored and signalled: its id and time fixed now, so a retry repeats the same. */
function normalizedEvent(raw: EngagementEventInput, now: Date): EngagementEvent {
  const event = engagementEventSchema.parse(raw);
  const eventId = event.eventId ?? randomUUID();
  const occurredAt = event.occurredAt ? new Date(event.occurredAt).toISOString() : now.toISOString();
  return { eventId, type: event.type, occurredAt, ...(event.properties ? { properties: event.properties } : {}) };
}

const stored = (leadId: string, e: EngagementEvent) => ({ eventId: e.eventId, leadId, type: e.type, occurredAt: e.occurredAt, properties: e.properties ?? {} });

/** Records one event; a repeat of its eventId for the same lead is a duplicate, signalled again. */
export async function recordEvent(deps: IntakeDeps, leadId: string, raw: EngagementEventInput, now = new Date()): Promise<EventResult> {
  assertLeadId(leadId);
  const event = normalizedEvent(raw, now);
  let duplicate = false;
  if (!(await insertEvent(deps.pool, stored(leadId, event)))) {
    const owner = (await eventOwners(deps.pool, [event.eventId])).get(event.eventId);
    if (owner === undefined) throw new UnknownLeadError(leadId);
    if (owner !== leadId) throw new EventIdConflictError(event.eventId);
    duplicate = true;
  }
  // The row keeps every property; the workflow gets the bounded copy (src/leads/event-properties.ts).
  await signalEngagement(deps.client, leadId, workflowEvent(event));
  return { eventId: event.eventId, duplicate };
}

export interface BatchEvent {
  leadId: string;
  event: EngagementEventInput;
}

export type BatchEventOutcome = ({ ok: true } & EventResult) | { ok: false; error: unknown };

/** Signals in flight per batch: enough to keep Temporal busy, few enough not to starve other requests. */
export const BATCH_SIGNAL_CONCURRENCY = 32;

/**
 * recordEvent for many events at once, with the same rules per item: one INSERT for the whole batch
 * (instead of one round trip per event), then the signals, several at a time. An item that fails
 * (unknown lead, eventId of another lead, Temporal unreachable) fails alone; the first of two items
 * with the same eventId is the one accepted.
 */
export async function recordEvents(deps: IntakeDeps, items: BatchEvent[], now = new Date()): Promise<BatchEventOutcome[]> {
  const outcomes: BatchEventOutcome[] = new Array(items.length);
  const rows: { index: number; leadId: string; signal: EngagementEvent }[] = [];
  for (const [index, item] of items.entries()) {
    try {
      assertLeadId(item.leadId);
      rows.push({ index, leadId: item.leadId, signal: normalizedEvent(item.event, now) });
    } catch (error) {
      outcomes[index] = { ok: false, error };
    }
  }
  if (rows.length === 0) return outcomes;
  let rest: Set<(typeof rows)[number]>;
  let existing: Map<string, string>;
  try {
    const fresh = new Set(await insertEvents(deps.pool, rows.map((r) => stored(r.leadId, r.signal))));
    rest = new Set(rows.filter((r) => !fresh.delete(r.signal.eventId)));
    existing = await eventOwners(deps.pool, [...rest].map((r) => r.signal.eventId));
  } catch (error) {
    // PostgreSQL unreachable: every item fails (and may be retried), as each would have on its own.
    for (const row of rows) outcomes[row.index] = { ok: false, error };
    return outcomes;
  }
  const toSignal: typeof rows = [];
  for (const row of rows) {
    const eventId = row.signal.eventId;
    if (!rest.has(row)) {
      outcomes[row.index] = { ok: true, eventId, duplicate: false };
      toSignal.push(row);
      continue;
    }
    const owner = existing.get(eventId);
    if (owner === undefined) outcomes[row.index] = { ok: false, error: new UnknownLeadError(row.leadId) };
    else if (owner !== row.leadId) outcomes[row.index] = { ok: false, error: new EventIdConflictError(eventId) };
    else {
      // Signalled again, as recordEvent does: a retry after a crash between insert and signal still reaches the workflow.
      outcomes[row.index] = { ok: true, eventId, duplicate: true };
      toSignal.push(row);
    }
  }
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < toSignal.length; i = next++) {
      const row = toSignal[i]!;
      try {
        await signalEngagement(deps.client, row.leadId, workflowEvent(row.signal));
      } catch (error) {
        outcomes[row.index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_SIGNAL_CONCURRENCY, toSignal.length) }, lane));
  return outcomes;
}
