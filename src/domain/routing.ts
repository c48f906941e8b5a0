// Routing at handoff: which pool of owners a lead goes to (by segment or territory), and which of
// the pool's owners may take it now. Pure and free of zod and I/O: the workflow bundles it to choose
// the pool, and the pickOwner activity (src/routing/pick-owner.ts) uses it on what it read.

export type RoutingValue = string | number | boolean;

/** A rule matches when the attribute satisfies every condition it gives (AND). */
export interface RoutingCondition {
  attribute: string;
  equals?: RoutingValue;
  oneOf?: (string | number)[];
  gte?: number;
  lte?: number;
}

export interface RoutingRule {
  id: string;
  when: RoutingCondition;
  owners: string[];
}

export interface RoutingPool {
  /** The rule's id, or 'default' for the campaign's own owners. */
  poolId: string;
  owners: string[];
  /** The rule's id, or 'fallback' when no rule matched. */
  assignedBy: string;
}

export const DEFAULT_POOL_ID = 'default';
export const FALLBACK_ASSIGNMENT = 'fallback';

/** The first matching rule's owners; the default owners when none matches. */
export function poolFor(rules: readonly RoutingRule[], attributes: Readonly<Record<string, unknown>>, defaultOwners: readonly string[]): RoutingPool {
  const rule = rules.find((r) => conditionHolds(r.when, attributes[r.when.attribute]));
  return rule
    ? { poolId: rule.id, owners: [...rule.owners], assignedBy: rule.id }
    : { poolId: DEFAULT_POOL_ID, owners: [...defaultOwners], assignedBy: FALLBACK_ASSIGNMENT };
}

export function conditionHolds(when: RoutingCondition, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (when.equals !== undefined && !sameValue(value, when.equals)) return false;
  if (when.oneOf !== undefined && !when.oneOf.some((candidate) => sameValue(value, candidate))) return false;
  const n = numberOf(value);
  if (when.gte !== undefined && !(n !== null && n >= when.gte)) return false;
  if (when.lte !== undefined && !(n !== null && n <= when.lte)) return false;
  return true;
}

/**
 * Numbers compare numerically (a CSV import may store "500" for 500); strings case-insensitively
 * after trim (territories are typed by hand: " Kanto" is "kanto"); booleans exactly.
 */
function sameValue(value: unknown, expected: RoutingValue): boolean {
  if (typeof expected === 'number') return numberOf(value) === expected;
  if (typeof expected === 'boolean') return value === expected;
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  return text !== null && text.trim().toLowerCase() === expected.trim().toLowerCase();
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

// ---- Availability of a pool's owners -------------------------------------------------------

/** An absence, epoch ms: `from` inclusive, `to` exclusive. */
export interface AbsenceRange {
  from: number;
  to: number;
}

export interface OwnerDirectoryEntry {
  outOfOffice: readonly AbsenceRange[];
  /** Open handoffs (stages mql, working) the owner may hold at once; null: no limit. */
  capacity: number | null;
}

export type SkipReason = 'excluded' | 'out_of_office' | 'at_capacity';

export interface OwnerAvailability {
  owner: string;
  /** Why the owner cannot take the lead now; null when it can. */
  skipped: SkipReason | null;
}

export interface AvailabilityInput {
  /** By normalized email (trimmed, lowercased). */
  users: ReadonlyMap<string, OwnerDirectoryEntry>;
  /** Open handoffs by normalized email; absent means none. */
  openLeads: ReadonlyMap<string, number>;
  at: number;
  /** Owners who must not get the lead (e.g. the one who just missed its SLA). */
  exclude: readonly string[];
}

/** Emails compare trimmed and lowercased, as the lead store and the user directory key them. */
export const ownerKey = (email: string): string => email.trim().toLowerCase();

/**
 * Every owner of the pool, in pool order, with why it is skipped. An owner missing from the
 * directory is available with no capacity limit: routing must not stop because a rep was never
 * entered.
 */
export function availableOwners(owners: readonly string[], input: AvailabilityInput): OwnerAvailability[] {
  const excluded = new Set(input.exclude.map(ownerKey));
  return owners.map((owner) => ({ owner, skipped: skipReason(ownerKey(owner), excluded, input) }));
}

function skipReason(key: string, excluded: ReadonlySet<string>, input: AvailabilityInput): SkipReason | null {
  if (excluded.has(key)) return 'excluded';
  const user = input.users.get(key);
  if (!user) return null;
  if (user.outOfOffice.some((r) => r.from <= input.at && input.at < r.to)) return 'out_of_office';
  if (user.capacity !== null && (input.openLeads.get(key) ?? 0) >= user.capacity) return 'at_capacity';
  return null;
}

export interface RotationChoice {
  /** The first available owner from `start` on; null when none is. */
  owner: string | null;
  /** How many places after `start` the chosen owner stands (the whole length when none was chosen). */
  offset: number;
  /** The owners passed over on the way, in walk order. */
  skipped: { owner: string; reason: SkipReason }[];
}

/** Walks the owners round-robin from index `start` (any integer, taken mod n) to the first available one. */
export function rotate(availability: readonly OwnerAvailability[], start: number): RotationChoice {
  const n = availability.length;
  const skipped: RotationChoice['skipped'] = [];
  for (let offset = 0; offset < n; offset++) {
    const entry = availability[(((start + offset) % n) + n) % n]!;
    if (entry.skipped === null) return { owner: entry.owner, offset, skipped };
    skipped.push({ owner: entry.owner, reason: entry.skipped });
  }
  return { owner: null, offset: n, skipped };
}
