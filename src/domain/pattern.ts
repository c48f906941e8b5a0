// Scoring-rule patterns (`pattern` of a fit rule) come from users, so they run on RE2 (the pure-JS
// port re2js): matching takes time linear in the input, with no backtracking, in the API and in the
// workflow sandbox alike. RE2 refuses backreferences and lookaround; such a pattern never matches.
import { RE2JS } from 're2js';

/** Only this many characters of an attribute value are matched (documented in docs/lifecycle.md, "Scoring"). */
export const MAX_MATCHED_CHARS = 1000;
/** RE2 program size of one pattern: linear time still multiplies by it (`(.{1000}x)|…` is huge). */
export const MAX_PATTERN_INSTRUCTIONS = 2000;
/** Program size of all the patterns of one model together: bounds one scoring pass. */
export const MAX_MODEL_PATTERN_INSTRUCTIONS = 10_000;

export type PatternCheck = { ok: true; instructions: number } | { ok: false; reason: string };

type Inspected = PatternCheck & { re?: RE2JS };
/** Patterns by source, compiled once (not per evaluation); bounded so that it cannot grow without end. */
const compiled = new Map<string, Inspected>();
// Each holds its lazy DFA (RE2 caps one at 8 MB; in practice a few KB): enough for several models of 200 rules.
const CACHE_SIZE = 500;

function compile(pattern: string): Inspected {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    return { ok: false, reason: `not supported by the linear-time pattern engine (RE2: no backreferences or lookaround): ${(err as Error).message}` };
  }
  const instructions = re.re2().numberOfInstructions() as number;
  if (instructions > MAX_PATTERN_INSTRUCTIONS) {
    return { ok: false, reason: `too complex: compiles to ${instructions} instructions, at most ${MAX_PATTERN_INSTRUCTIONS} (use smaller repeat counts)` };
  }
  return { ok: true, instructions, re };
}

function inspect(pattern: string): Inspected {
  const known = compiled.get(pattern);
  if (known) return known;
  const fresh = compile(pattern);
  // Oldest first out: a worker serves many model versions over time, each compiled again if needed.
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value as string);
  compiled.set(pattern, fresh);
  return fresh;
}

/** Whether the engine accepts `pattern`, and its program size; the reason (RE2's message) when not. */
export function checkPattern(pattern: string): PatternCheck {
  const check = inspect(pattern);
  return check.ok ? { ok: true, instructions: check.instructions } : { ok: false, reason: check.reason };
}

/**
 * Case-insensitive search for `pattern` in the first MAX_MATCHED_CHARS characters of `value`.
 * A pattern the engine refuses (stored before patterns were checked) matches nothing.
 */
export function patternMatches(pattern: string, value: string): boolean {
  const { re } = inspect(pattern);
  return re !== undefined && re.test(value.length > MAX_MATCHED_CHARS ? value.slice(0, MAX_MATCHED_CHARS) : value);
}
