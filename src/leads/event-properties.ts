// What of an event's properties a lead's workflow receives. lead_events keeps them in full (the
// intake schema allows 50 keys of up to 64 characters, strings of up to 1,000); the workflow keeps
// up to SCORABLE_EVENTS_KEPT (2,000) events in its state, carried whole across continue-as-new, so
// it gets a bounded copy: 2,000 × 512 bytes stays well under Temporal's 2 MB payload limit.
import type { EngagementEvent } from '../domain/types';

type Properties = NonNullable<EngagementEvent['properties']>;

export const WORKFLOW_PROPERTIES = {
  /** The first keys, in the order sent. */
  maxKeys: 20,
  /** Longer keys are left out (the intake refuses them; older rows may have them). */
  maxKeyChars: 64,
  /** Longer string values are cut to their first characters. */
  maxStringChars: 200,
  /** The whole object as JSON, UTF-8: a string past it is cut to what is left, other values left out. */
  maxBytes: 512,
} as const;

const cut = (value: string): string => {
  if (value.length <= WORKFLOW_PROPERTIES.maxStringChars) return value;
  const head = value.slice(0, WORKFLOW_PROPERTIES.maxStringChars);
  // Never leave half of a surrogate pair at the end.
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
};

/** `value`, or its longest head whose JSON takes at most `room` bytes; null if not even "" fits. */
function fitBytes(value: string, room: number): string | null {
  if (room < 2) return null;
  if (Buffer.byteLength(JSON.stringify(value)) <= room) return value;
  let used = 2;
  let head = '';
  for (const ch of value) {
    const size = Buffer.byteLength(JSON.stringify(ch)) - 2;
    if (used + size > room) break;
    used += size;
    head += ch;
  }
  return head;
}

/** The bounded copy of `properties` that the workflow is signalled (scoring compares these values). */
export function workflowProperties(properties: Properties | null | undefined): Properties {
  const out: Properties = {};
  let bytes = 2; // {}
  let keys = 0;
  for (const [key, raw] of Object.entries(properties ?? {})) {
    if (keys >= WORKFLOW_PROPERTIES.maxKeys) break;
    if (key.length > WORKFLOW_PROPERTIES.maxKeyChars) continue;
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') continue;
    const overhead = Buffer.byteLength(JSON.stringify(key)) + 1 + (keys > 0 ? 1 : 0); // "key": and a comma
    const room = WORKFLOW_PROPERTIES.maxBytes - bytes - overhead;
    // A string that does not fit in what is left is cut to it; a number or boolean is left out.
    const value = typeof raw === 'string' ? fitBytes(cut(raw), room) : raw;
    if (value === null) continue;
    const size = overhead + Buffer.byteLength(JSON.stringify(value));
    if (size > WORKFLOW_PROPERTIES.maxBytes - bytes) continue;
    out[key] = value;
    bytes += size;
    keys++;
  }
  return out;
}

/** The signal for a stored event: properties bounded, the rest as stored. */
export function workflowEvent(event: EngagementEvent): EngagementEvent {
  return event.properties === undefined ? event : { ...event, properties: workflowProperties(event.properties) };
}
