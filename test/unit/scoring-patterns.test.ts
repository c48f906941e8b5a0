// Fit-rule patterns run on RE2 (linear time): the catastrophic-backtracking pattern of issue 18 is
// matched at once, and patterns RE2 cannot run are refused at the API boundary, naming the rule.
import { scoringModelBodySchema, parseScoringModel } from '../../src/schemas/scoring-model';
import { checkPattern, MAX_MATCHED_CHARS, MAX_PATTERN_INSTRUCTIONS, patternMatches } from '../../src/domain/pattern';
import { fitRuleMatches } from '../../src/domain/scoring';
import { DEFAULT_MODEL } from '../../src/domain/defaults';
import fc from 'fast-check';

const model = (patterns: string[]) => ({
  fit: patterns.map((pattern, i) => ({ id: `r${i}`, attribute: 'title', pattern, points: 1 })),
  mql: { threshold: 1 },
});
const issues = (value: unknown) => {
  const parsed = scoringModelBodySchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('scoring patterns on the linear-time engine', () => {
  it('matches ^(a+)+$ against 27 × "a" + "!" and against 10,000 characters at once', () => {
    const started = Date.now();
    expect(patternMatches('^(a+)+$', `${'a'.repeat(27)}!`)).toBe(false);
    expect(patternMatches('^(a+)+$', `!${'a'.repeat(9_999)}`)).toBe(false);
    expect(patternMatches('(a+)+!', 'a'.repeat(10_000))).toBe(false);
    const rule = { id: 'r', attribute: 'title', pattern: '^(a+)+$', points: 1 };
    expect(fitRuleMatches(rule, `${'a'.repeat(27)}!`)).toBe(false);
    expect(fitRuleMatches(rule, 'a'.repeat(10_000))).toBe(true);
    // Backtracking needs 2^27 steps here (seconds); generous so that a loaded CI machine passes.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('is case-insensitive, searches anywhere in the value, as before', () => {
    expect(patternMatches('\\b(cto|vp)\\b', 'Senior VP Sales')).toBe(true);
    expect(patternMatches('director', 'Sales DIRECTOR, EMEA')).toBe(true);
    expect(patternMatches('^cto$', 'cto office')).toBe(false);
    expect(patternMatches('部長', '営業部長')).toBe(true);
  });

  it('finds what JavaScript RegExp found for patterns both accept (running leads replay the same scores)', () => {
    const patterns = [...DEFAULT_MODEL.fit.flatMap((r) => (r.pattern ? [r.pattern] : [])), '^(vp|director)', 'sales$', '[0-9]{3,}', 'a.c', '\\d+ employees', 'head\\s+of'];
    const text = fc.stringMatching(/^[a-zA-Z0-9 .\-_\n\t部長取締役社長学生éÉ]{0,40}$/);
    const words = fc.array(fc.constantFrom('CEO', 'vp', 'Vice President', 'head of', 'Head  of', 'student', '学生', '部長', 'sales', 'abc', 'a\nc', '123', '42 employees', ' ', '-'), { maxLength: 6 }).map((w) => w.join(''));
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.oneof(text, words), (pattern, value) => {
        expect(patternMatches(pattern, value)).toBe(new RegExp(pattern, 'i').test(value));
      }),
      { numRuns: 2000 },
    );
  });

  it(`matches only the first ${MAX_MATCHED_CHARS} characters of a value`, () => {
    expect(patternMatches('x', `${'a'.repeat(MAX_MATCHED_CHARS - 1)}x`)).toBe(true);
    expect(patternMatches('x', `${'a'.repeat(MAX_MATCHED_CHARS)}x`)).toBe(false);
  });

  it('refuses backreferences, lookaround and oversized programs; such a stored pattern matches nothing', () => {
    for (const p of ['(a)\\1', 'a(?=b)', 'a(?!b)', '(?<=a)b', '(?<!a)b']) {
      expect(checkPattern(p)).toEqual({ ok: false, reason: expect.stringMatching(/linear-time pattern engine/) });
      expect(patternMatches(p, 'aab')).toBe(false);
    }
    expect(checkPattern('(.{1000}x)|(.{1000}y)')).toEqual({ ok: false, reason: expect.stringMatching(new RegExp(`at most ${MAX_PATTERN_INSTRUCTIONS}`)) });
    expect(checkPattern('^(a+)+$')).toEqual({ ok: true, instructions: expect.any(Number) });
  });

  it('the scoring-model schema names the rule of a pattern the engine refuses', () => {
    expect(issues(model(['vp', 'cto', 'ceo', '(a)\\1']))).toEqual([expect.stringMatching(/^fit\.3\.pattern: not supported by the linear-time pattern engine/)]);
    expect(issues(model(['a(?=b)']))).toEqual([expect.stringMatching(/^fit\.0\.pattern: /)]);
    expect(issues(model(['(?<!x)y']))).toEqual([expect.stringMatching(/^fit\.0\.pattern: /)]);
    expect(issues(model(['^(a+)+$', '\\bvp\\b']))).toEqual([]);
  });

  it("bounds the program size of a model's patterns together", () => {
    const big = '(.{900}x)|y'; // under the per-pattern bound, ~900 instructions
    expect(checkPattern(big).ok).toBe(true);
    const found = issues(model(Array.from({ length: 12 }, () => big)));
    expect(found).toEqual([expect.stringMatching(/^fit\.\d+\.pattern: the model's patterns together compile to more than/)]);
  });

  it('a stored version with a refused pattern stays readable', () => {
    const stored = parseScoringModel({ id: 'legacy', version: 3, ...model(['(a)\\1']) });
    expect(stored.fit[0]!.pattern).toBe('(a)\\1');
  });
});
