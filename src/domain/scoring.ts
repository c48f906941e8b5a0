// Lead scoring: fit points from attributes plus behaviour points from events inside a window.
// Pure and deterministic: the workflow, what-if re-scoring and tests all call this one function.
import { durationMs } from './duration';
import { patternMatches } from './pattern';
import type { AttributeValue, BehaviorRule, FitRule, LeadAttributes, ScoringModel } from './types';

/** An event as scoring sees it: the timestamp already parsed to epoch milliseconds. */
export interface ScorableEvent {
  eventId: string;
  type: string;
  at: number;
  properties?: Record<string, string | number | boolean>;
}

export interface BreakdownLine {
  kind: 'fit' | 'behavior';
  ruleId: string;
  points: number;
  /** For behaviour lines: the event that earned the points. */
  eventId?: string;
  eventType?: string;
  at?: number;
  /** For fit lines: the attribute and the value that matched. */
  attribute?: string;
  value?: AttributeValue;
}

export interface Score {
  total: number;
  fit: number;
  behavior: number;
  breakdown: BreakdownLine[];
  /** Behaviour rule ids that fired inside the window (capped rules included). */
  firedRules: string[];
  isMql: boolean;
}

export interface ScoreOptions {
  /** Events before this instant do not count (a recycled lead must earn MQL with new activity). */
  since?: number;
}

export function score(
  model: ScoringModel,
  attributes: LeadAttributes,
  events: readonly ScorableEvent[],
  now: number,
  options: ScoreOptions = {},
): Score {
  const breakdown: BreakdownLine[] = [];
  let fit = 0;
  for (const rule of model.fit) {
    const value = attributes[rule.attribute];
    if (value !== undefined && value !== null && fitRuleMatches(rule, value)) {
      fit += rule.points;
      breakdown.push({ kind: 'fit', ruleId: rule.id, points: rule.points, attribute: rule.attribute, value });
    }
  }

  const windowStart = Math.max(now - durationMs(model.behaviorWindow), options.since ?? -Infinity);
  const inWindow = events.filter((e) => e.at >= windowStart && e.at <= now).sort(byTimeThenId);
  const earned = new Map<string, number>();
  const fired = new Set<string>();
  let behavior = 0;
  for (const event of inWindow) {
    for (const rule of model.behavior) {
      if (!behaviorRuleMatches(rule, event)) continue;
      fired.add(rule.id);
      const points = cappedPoints(rule, earned.get(rule.id) ?? 0);
      if (points === 0) continue;
      earned.set(rule.id, (earned.get(rule.id) ?? 0) + points);
      behavior += points;
      breakdown.push({ kind: 'behavior', ruleId: rule.id, points, eventId: event.eventId, eventType: event.type, at: event.at });
    }
  }

  const total = fit + behavior;
  const required = model.mql.requireAnyOf ?? [];
  const intentOk = required.length === 0 || required.some((id) => fired.has(id));
  return { total, fit, behavior, breakdown, firedRules: [...fired].sort(), isMql: total >= model.mql.threshold && intentOk };
}

/** Events that can still count at `now` (inside the window, after `since`). Keeps workflow state small. */
export function eventsStillScorable<E extends { at: number }>(model: ScoringModel, events: readonly E[], now: number, since?: number): E[] {
  const windowStart = Math.max(now - durationMs(model.behaviorWindow), since ?? -Infinity);
  return events.filter((e) => e.at >= windowStart);
}

export function fitRuleMatches(rule: FitRule, value: AttributeValue): boolean {
  if (value === null) return false;
  if (rule.equals !== undefined && !looselyEqual(value, rule.equals)) return false;
  if (rule.oneOf !== undefined && !rule.oneOf.some((candidate) => looselyEqual(value, candidate))) return false;
  if (rule.gte !== undefined && !(typeof value === 'number' && value >= rule.gte)) return false;
  if (rule.lte !== undefined && !(typeof value === 'number' && value <= rule.lte)) return false;
  if (rule.pattern !== undefined && !patternMatches(rule.pattern, String(value))) return false;
  return true;
}

export function behaviorRuleMatches(rule: BehaviorRule, event: Pick<ScorableEvent, 'type' | 'properties'>): boolean {
  if (rule.event !== event.type) return false;
  for (const [key, expected] of Object.entries(rule.where ?? {})) {
    const actual = event.properties?.[key];
    if (actual === undefined || !looselyEqual(actual, expected)) return false;
  }
  return true;
}

function cappedPoints(rule: BehaviorRule, alreadyEarned: number): number {
  if (rule.maxPoints === undefined) return rule.points;
  const cap = Math.abs(rule.maxPoints);
  const room = cap - Math.abs(alreadyEarned);
  if (room <= 0) return 0;
  return Math.sign(rule.points) * Math.min(Math.abs(rule.points), room);
}

/** Strings compare case-insensitively and trimmed; numbers and booleans exactly. */
function looselyEqual(a: string | number | boolean, b: string | number | boolean): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}

function byTimeThenId(a: ScorableEvent, b: ScorableEvent): number {
  return a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}
