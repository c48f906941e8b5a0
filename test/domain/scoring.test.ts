import { behaviorRuleMatches, eventsStillScorable, fitRuleMatches, score, type ScorableEvent } from '../../src/domain/scoring';
import type { BehaviorRule, FitRule, ScoringModel } from '../../src/domain/types';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.parse('2025-04-01T00:00:00Z');

function fitRule(extra: Partial<FitRule>): FitRule {
  return { id: 'r', attribute: 'x', points: 1, ...extra };
}

function ev(eventId: string, type: string, at: number, properties?: ScorableEvent['properties']): ScorableEvent {
  return properties ? { eventId, type, at, properties } : { eventId, type, at };
}

/** A small model whose numbers are easy to add up by hand. */
const MODEL: ScoringModel = {
  id: 'test',
  version: 1,
  fit: [
    { id: 'size-mid', attribute: 'employees', gte: 50, points: 10 },
    { id: 'size-tiny', attribute: 'employees', lte: 10, points: -10 },
    { id: 'industry', attribute: 'industry', oneOf: ['SaaS', 'Manufacturing'], points: 15 },
    { id: 'japan', attribute: 'country', equals: 'Japan', points: 5 },
    { id: 'competitor', attribute: 'usesCompetitor', equals: true, points: 15 },
    { id: 'decision-maker', attribute: 'title', pattern: '\\b(cto|vp)\\b|部長', points: 20 },
    { id: 'student', attribute: 'title', pattern: '\\bstudent\\b|学生', points: -30 },
  ],
  behavior: [
    { id: 'open', event: 'email_open', points: 2, maxPoints: 5 },
    { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 15 },
    { id: 'careers', event: 'page_view', where: { page: 'careers' }, points: -5, maxPoints: 8 },
    { id: 'demo', event: 'demo_request', points: 40 },
  ],
  behaviorWindow: '30d',
  mql: { threshold: 50, requireAnyOf: ['pricing', 'demo'] },
};

/** All five positive fit rules: 10 + 15 + 5 + 15 + 20 = 65. */
const GOOD_FIT = { employees: 120, industry: 'saas', country: ' JAPAN ', usesCompetitor: true, title: 'VP Sales' };

describe('fitRuleMatches', () => {
  it('equals: strings compare case-insensitively and trimmed', () => {
    const rule = fitRule({ equals: 'Japan' });
    expect(fitRuleMatches(rule, 'japan')).toBe(true);
    expect(fitRuleMatches(rule, '  JAPAN ')).toBe(true);
    expect(fitRuleMatches(rule, 'Japanese')).toBe(false);
    expect(fitRuleMatches(rule, 'US')).toBe(false);
  });

  it('equals: numbers and booleans compare exactly, no coercion', () => {
    expect(fitRuleMatches(fitRule({ equals: 5 }), 5)).toBe(true);
    expect(fitRuleMatches(fitRule({ equals: 5 }), 6)).toBe(false);
    expect(fitRuleMatches(fitRule({ equals: 5 }), '5')).toBe(false);
    expect(fitRuleMatches(fitRule({ equals: true }), true)).toBe(true);
    expect(fitRuleMatches(fitRule({ equals: true }), false)).toBe(false);
    expect(fitRuleMatches(fitRule({ equals: true }), 'true')).toBe(false);
  });

  it('oneOf: any candidate, strings case-insensitive, numbers exact', () => {
    const rule = fitRule({ oneOf: ['SaaS', 'Manufacturing', 42] });
    expect(fitRuleMatches(rule, 'saas')).toBe(true);
    expect(fitRuleMatches(rule, ' manufacturing')).toBe(true);
    expect(fitRuleMatches(rule, 42)).toBe(true);
    expect(fitRuleMatches(rule, '42')).toBe(false);
    expect(fitRuleMatches(rule, 'retail')).toBe(false);
    expect(fitRuleMatches(fitRule({ oneOf: [] }), 'saas')).toBe(false);
  });

  it('gte / lte: inclusive bounds, numbers only, combinable into a range', () => {
    expect(fitRuleMatches(fitRule({ gte: 50 }), 50)).toBe(true);
    expect(fitRuleMatches(fitRule({ gte: 50 }), 49)).toBe(false);
    expect(fitRuleMatches(fitRule({ gte: 50 }), '500')).toBe(false);
    expect(fitRuleMatches(fitRule({ lte: 10 }), 10)).toBe(true);
    expect(fitRuleMatches(fitRule({ lte: 10 }), 11)).toBe(false);
    expect(fitRuleMatches(fitRule({ lte: 10 }), true)).toBe(false);
    const range = fitRule({ gte: 50, lte: 499 });
    expect(fitRuleMatches(range, 49)).toBe(false);
    expect(fitRuleMatches(range, 50)).toBe(true);
    expect(fitRuleMatches(range, 499)).toBe(true);
    expect(fitRuleMatches(range, 500)).toBe(false);
  });

  it('pattern: case-insensitive regular expression, Japanese text included', () => {
    const rule = fitRule({ pattern: '\\b(cto|head of)\\b|部長|取締役' });
    expect(fitRuleMatches(rule, 'CTO')).toBe(true);
    expect(fitRuleMatches(rule, 'Head Of Marketing')).toBe(true);
    expect(fitRuleMatches(rule, 'Director')).toBe(false);
    expect(fitRuleMatches(rule, 'ctoolkit engineer')).toBe(false); // \b keeps "cto" a word
    expect(fitRuleMatches(rule, '営業部長')).toBe(true);
    expect(fitRuleMatches(rule, '代表取締役社長')).toBe(true);
    expect(fitRuleMatches(rule, '営業担当')).toBe(false);
    // Non-string values are matched on their text.
    expect(fitRuleMatches(fitRule({ pattern: '^5\\d\\d$' }), 512)).toBe(true);
  });

  it('all given conditions must hold; null never matches; a rule without conditions matches any value', () => {
    const both = fitRule({ oneOf: ['saas', 'retail'], pattern: '^s' });
    expect(fitRuleMatches(both, 'SaaS')).toBe(true);
    expect(fitRuleMatches(both, 'retail')).toBe(false);
    expect(fitRuleMatches(fitRule({ equals: 'x' }), null)).toBe(false);
    expect(fitRuleMatches(fitRule({}), null)).toBe(false);
    expect(fitRuleMatches(fitRule({}), 'anything')).toBe(true);
  });
});

describe('behaviorRuleMatches', () => {
  const pricing: BehaviorRule = { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 15 };

  it('needs the same event type', () => {
    expect(behaviorRuleMatches(pricing, { type: 'page_view', properties: { page: 'pricing' } })).toBe(true);
    expect(behaviorRuleMatches(pricing, { type: 'page_visit', properties: { page: 'pricing' } })).toBe(false);
    expect(behaviorRuleMatches(pricing, { type: 'Page_View', properties: { page: 'pricing' } })).toBe(false);
  });

  it('where: every key must be present and loosely equal; extra properties are fine', () => {
    expect(behaviorRuleMatches(pricing, { type: 'page_view', properties: { page: ' PRICING ', utm: 'ads' } })).toBe(true);
    expect(behaviorRuleMatches(pricing, { type: 'page_view', properties: { page: 'case-study' } })).toBe(false);
    expect(behaviorRuleMatches(pricing, { type: 'page_view', properties: {} })).toBe(false);
    expect(behaviorRuleMatches(pricing, { type: 'page_view' })).toBe(false);

    const multi: BehaviorRule = { id: 'm', event: 'webinar', where: { attended: true, minutes: 30, lang: 'ja' }, points: 1 };
    expect(behaviorRuleMatches(multi, { type: 'webinar', properties: { attended: true, minutes: 30, lang: 'JA' } })).toBe(true);
    expect(behaviorRuleMatches(multi, { type: 'webinar', properties: { attended: true, minutes: '30', lang: 'ja' } })).toBe(false);
    expect(behaviorRuleMatches(multi, { type: 'webinar', properties: { attended: 'true', minutes: 30, lang: 'ja' } })).toBe(false);
    expect(behaviorRuleMatches(multi, { type: 'webinar', properties: { attended: true, lang: 'ja' } })).toBe(false);
  });

  it('without where, any properties match', () => {
    const open: BehaviorRule = { id: 'open', event: 'email_open', points: 2 };
    expect(behaviorRuleMatches(open, { type: 'email_open' })).toBe(true);
    expect(behaviorRuleMatches(open, { type: 'email_open', properties: { step: 's1' } })).toBe(true);
  });
});

describe('score', () => {
  it('adds fit points of every matching rule with one breakdown line each', () => {
    const result = score(MODEL, GOOD_FIT, [], NOW);
    // size-mid 10 + industry 15 + japan 5 + competitor 15 + decision-maker 20 = 65
    expect(result.fit).toBe(65);
    expect(result.behavior).toBe(0);
    expect(result.total).toBe(65);
    expect(result.breakdown).toEqual([
      { kind: 'fit', ruleId: 'size-mid', points: 10, attribute: 'employees', value: 120 },
      { kind: 'fit', ruleId: 'industry', points: 15, attribute: 'industry', value: 'saas' },
      { kind: 'fit', ruleId: 'japan', points: 5, attribute: 'country', value: ' JAPAN ' },
      { kind: 'fit', ruleId: 'competitor', points: 15, attribute: 'usesCompetitor', value: true },
      { kind: 'fit', ruleId: 'decision-maker', points: 20, attribute: 'title', value: 'VP Sales' },
    ]);
  });

  it('counts negative fit points (tiny company, student in Japanese)', () => {
    const result = score(MODEL, { employees: 3, title: '大学生' }, [], NOW);
    // size-tiny -10 + student -30 = -40
    expect(result.fit).toBe(-40);
    expect(result.total).toBe(-40);
    expect(result.breakdown.map((l) => [l.ruleId, l.points])).toEqual([
      ['size-tiny', -10],
      ['student', -30],
    ]);
  });

  it('ignores missing and null attributes', () => {
    const result = score(MODEL, { employees: null, industry: null }, [], NOW);
    expect(result.fit).toBe(0);
    expect(result.breakdown).toEqual([]);
  });

  it('matches behaviour rules on where and names rule, points and eventId in the breakdown', () => {
    const events = [
      ev('e1', 'page_view', NOW - 3 * H, { page: 'pricing' }),
      ev('e2', 'page_view', NOW - 2 * H, { page: 'blog' }), // no rule
      ev('e3', 'demo_request', NOW - H),
      ev('e4', 'webinar', NOW - H), // no rule
    ];
    const result = score(MODEL, {}, events, NOW);
    // pricing 15 + demo 40 = 55
    expect(result.behavior).toBe(55);
    expect(result.total).toBe(55);
    expect(result.breakdown).toEqual([
      { kind: 'behavior', ruleId: 'pricing', points: 15, eventId: 'e1', eventType: 'page_view', at: NOW - 3 * H },
      { kind: 'behavior', ruleId: 'demo', points: 40, eventId: 'e3', eventType: 'demo_request', at: NOW - H },
    ]);
    expect(result.firedRules).toEqual(['demo', 'pricing']);
  });

  it('caps a positive rule at maxPoints, the last matching event getting only the remainder', () => {
    const events = [1, 2, 3, 4].map((i) => ev(`o${i}`, 'email_open', NOW - (10 - i) * H));
    const result = score(MODEL, {}, events, NOW);
    // open: 2 + 2 + 1 (cap 5 reached) + 0 = 5
    expect(result.behavior).toBe(5);
    expect(result.breakdown.map((l) => [l.eventId, l.points])).toEqual([
      ['o1', 2],
      ['o2', 2],
      ['o3', 1],
    ]);
    // The capped rule still counts as fired.
    expect(result.firedRules).toEqual(['open']);
  });

  it('caps a negative rule at |maxPoints|', () => {
    const events = [1, 2, 3].map((i) => ev(`c${i}`, 'page_view', NOW - (10 - i) * H, { page: 'careers' }));
    const result = score(MODEL, {}, events, NOW);
    // careers: -5 + -3 (cap 8 reached) + 0 = -8
    expect(result.behavior).toBe(-8);
    expect(result.breakdown.map((l) => [l.eventId, l.points])).toEqual([
      ['c1', -5],
      ['c2', -3],
    ]);
  });

  it('a single event worth more than maxPoints earns only maxPoints', () => {
    const model: ScoringModel = { ...MODEL, behavior: [{ id: 'big', event: 'demo_request', points: 50, maxPoints: 30 }] };
    const result = score(model, {}, [ev('d1', 'demo_request', NOW - 2 * H), ev('d2', 'demo_request', NOW - H)], NOW);
    // min(50, 30) = 30, then 0
    expect(result.behavior).toBe(30);
    expect(result.breakdown.map((l) => [l.eventId, l.points])).toEqual([['d1', 30]]);
  });

  it('a rule that earns nothing still fires (a 0-point intent marker can satisfy requireAnyOf)', () => {
    const model: ScoringModel = {
      ...MODEL,
      behavior: [...MODEL.behavior, { id: 'contact-page', event: 'page_view', where: { page: 'contact' }, points: 0 }],
      mql: { threshold: 50, requireAnyOf: ['contact-page'] },
    };
    const result = score(model, GOOD_FIT, [ev('c', 'page_view', NOW - H, { page: 'contact' })], NOW);
    // fit 65 + contact-page 0 = 65
    expect(result.total).toBe(65);
    expect(result.breakdown.filter((l) => l.kind === 'behavior')).toEqual([]);
    expect(result.firedRules).toEqual(['contact-page']);
    expect(result.isMql).toBe(true);
  });

  it('does not cap a rule without maxPoints', () => {
    const events = [1, 2, 3, 4].map((i) => ev(`p${i}`, 'page_view', NOW - i * H, { page: 'pricing' }));
    // 4 × 15 = 60
    expect(score(MODEL, {}, events, NOW).behavior).toBe(60);
  });

  it('counts only events inside the behaviour window (start inclusive, future excluded)', () => {
    const events = [
      ev('old', 'page_view', NOW - 30 * D - 1, { page: 'pricing' }), // 1 ms before the window
      ev('edge', 'page_view', NOW - 30 * D, { page: 'pricing' }), // exactly at window start
      ev('recent', 'email_open', NOW - D),
      ev('now', 'email_open', NOW),
      ev('future', 'demo_request', NOW + 1),
    ];
    const result = score(MODEL, {}, events, NOW);
    // edge 15 + recent 2 + now 2 = 19
    expect(result.behavior).toBe(19);
    expect(result.breakdown.map((l) => l.eventId)).toEqual(['edge', 'recent', 'now']);
    expect(result.firedRules).toEqual(['open', 'pricing']);
  });

  it('an event that fell out of the window stops counting when time passes', () => {
    const events = [ev('p', 'page_view', NOW, { page: 'pricing' })];
    expect(score(MODEL, {}, events, NOW + 30 * D).behavior).toBe(15);
    expect(score(MODEL, {}, events, NOW + 30 * D + 1).behavior).toBe(0);
  });

  it('the since option excludes events before it even inside the window', () => {
    const events = [
      ev('before', 'page_view', NOW - 2 * D, { page: 'pricing' }),
      ev('at', 'page_view', NOW - D, { page: 'pricing' }),
      ev('after', 'email_open', NOW - H),
    ];
    const result = score(MODEL, {}, events, NOW, { since: NOW - D });
    // at 15 + after 2 = 17 ("before" would add 15 without since)
    expect(result.behavior).toBe(17);
    expect(result.breakdown.map((l) => l.eventId)).toEqual(['at', 'after']);
    expect(score(MODEL, {}, events, NOW).behavior).toBe(32);
    // A since older than the window does not widen the window.
    expect(score(MODEL, {}, [ev('x', 'email_open', NOW - 31 * D)], NOW, { since: NOW - 60 * D }).behavior).toBe(0);
  });

  it('caps count only events inside the window: an old burst does not use up the cap', () => {
    const events = [
      ev('old1', 'email_open', NOW - 40 * D),
      ev('old2', 'email_open', NOW - 39 * D),
      ev('old3', 'email_open', NOW - 38 * D),
      ev('new1', 'email_open', NOW - D),
      ev('new2', 'email_open', NOW - H),
    ];
    // new1 2 + new2 2 = 4 (the old ones are outside the 30d window)
    expect(score(MODEL, {}, events, NOW).behavior).toBe(4);
  });

  describe('MQL rule', () => {
    const opens = [1, 2, 3].map((i) => ev(`o${i}`, 'email_open', NOW - i * H));

    it('threshold reached without a high-intent rule is not an MQL', () => {
      const result = score(MODEL, GOOD_FIT, opens, NOW);
      // fit 65 + opens 2 + 2 + 1 = 70 >= 50, but neither pricing nor demo fired
      expect(result.total).toBe(70);
      expect(result.isMql).toBe(false);
    });

    it('threshold reached with a high-intent rule is an MQL', () => {
      const result = score(MODEL, GOOD_FIT, [...opens, ev('p', 'page_view', NOW - 30 * 60_000, { page: 'pricing' })], NOW);
      // 70 + pricing 15 = 85
      expect(result.total).toBe(85);
      expect(result.isMql).toBe(true);
      expect(result.firedRules).toEqual(['open', 'pricing']);
    });

    it('a high-intent rule below the threshold is not an MQL', () => {
      const result = score(MODEL, { title: 'CTO' }, [ev('p', 'page_view', NOW - H, { page: 'pricing' })], NOW);
      // decision-maker 20 + pricing 15 = 35 < 50
      expect(result.total).toBe(35);
      expect(result.isMql).toBe(false);
    });

    it('a high-intent event outside the window does not satisfy requireAnyOf', () => {
      const result = score(MODEL, GOOD_FIT, [...opens, ev('p', 'page_view', NOW - 31 * D, { page: 'pricing' })], NOW);
      expect(result.total).toBe(70);
      expect(result.isMql).toBe(false);
    });

    it('without requireAnyOf the threshold alone decides, inclusive', () => {
      const model: ScoringModel = { ...MODEL, mql: { threshold: 65 } };
      expect(score(model, GOOD_FIT, [], NOW).isMql).toBe(true); // 65 >= 65
      expect(score(model, { ...GOOD_FIT, country: 'US' }, [], NOW).isMql).toBe(false); // 60 < 65
      const empty: ScoringModel = { ...MODEL, mql: { threshold: 65, requireAnyOf: [] } };
      expect(score(empty, GOOD_FIT, [], NOW).isMql).toBe(true);
    });

    it('negative points can pull a lead below the threshold', () => {
      const careers = [1, 2].map((i) => ev(`c${i}`, 'page_view', NOW - i * H, { page: 'careers' }));
      const result = score(MODEL, { employees: 120, title: 'CTO' }, [ev('p', 'page_view', NOW - 3 * H, { page: 'pricing' }), ...careers], NOW);
      // fit 10 + 20 = 30; pricing 15; careers -5 -3 = -8 → 37
      expect(result.total).toBe(37);
      expect(result.isMql).toBe(false);
    });
  });

  describe('determinism', () => {
    const events = [
      ev('b', 'email_open', NOW - 2 * H),
      ev('a', 'email_open', NOW - 2 * H), // same instant as b: id order decides
      ev('z', 'email_open', NOW - 5 * H),
      ev('p', 'page_view', NOW - 3 * H, { page: 'pricing' }),
    ];

    it('sorts events by time, then eventId, so caps go to the earliest events', () => {
      const result = score(MODEL, {}, events, NOW);
      // z (-5h) 2, p (-3h) 15, a (-2h) 2, b (-2h) 1 (cap 5) = 20
      expect(result.behavior).toBe(20);
      expect(result.breakdown.map((l) => [l.eventId, l.ruleId, l.points])).toEqual([
        ['z', 'open', 2],
        ['p', 'pricing', 15],
        ['a', 'open', 2],
        ['b', 'open', 1],
      ]);
    });

    it('gives the same result for any input order and does not reorder the input', () => {
      const reference = score(MODEL, GOOD_FIT, events, NOW);
      const permutations = [[...events].reverse(), [events[2]!, events[0]!, events[3]!, events[1]!], [events[1]!, events[3]!, events[0]!, events[2]!]];
      for (const order of permutations) {
        const copy = JSON.stringify(order);
        expect(score(MODEL, GOOD_FIT, order, NOW)).toEqual(reference);
        expect(JSON.stringify(order)).toBe(copy);
      }
    });

    it('firedRules is sorted', () => {
      const result = score(MODEL, {}, [ev('d', 'demo_request', NOW - H), ev('o', 'email_open', NOW - 2 * H), ev('p', 'page_view', NOW - 3 * H, { page: 'pricing' })], NOW);
      expect(result.firedRules).toEqual(['demo', 'open', 'pricing']);
    });

    it('one event can fire several rules, each with its own line', () => {
      const model: ScoringModel = {
        ...MODEL,
        behavior: [
          { id: 'any-page', event: 'page_view', points: 1 },
          { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 15 },
        ],
      };
      const result = score(model, {}, [ev('p', 'page_view', NOW - H, { page: 'pricing' })], NOW);
      // any-page 1 + pricing 15 = 16
      expect(result.behavior).toBe(16);
      expect(result.breakdown.map((l) => [l.ruleId, l.eventId])).toEqual([
        ['any-page', 'p'],
        ['pricing', 'p'],
      ]);
    });
  });
});

describe('eventsStillScorable', () => {
  const events = [
    { at: NOW - 31 * D, eventId: 'old', extra: 1 },
    { at: NOW - 30 * D, eventId: 'edge', extra: 2 },
    { at: NOW - D, eventId: 'recent', extra: 3 },
    { at: NOW + H, eventId: 'future', extra: 4 },
  ];

  it('drops events before the window start, keeps the rest (future ones too) in order with their fields', () => {
    expect(eventsStillScorable(MODEL, events, NOW)).toEqual([events[1], events[2], events[3]]);
  });

  it('drops events before since', () => {
    expect(eventsStillScorable(MODEL, events, NOW, NOW - 2 * D).map((e) => e.eventId)).toEqual(['recent', 'future']);
    expect(eventsStillScorable(MODEL, events, NOW, NOW - D).map((e) => e.eventId)).toEqual(['recent', 'future']);
    expect(eventsStillScorable(MODEL, events, NOW, NOW - D + 1).map((e) => e.eventId)).toEqual(['future']);
  });

  it('does not modify its input', () => {
    const copy = JSON.stringify(events);
    eventsStillScorable(MODEL, events, NOW, NOW);
    expect(JSON.stringify(events)).toBe(copy);
  });

  it('pruning with it does not change the score at now', () => {
    const kept = eventsStillScorable(MODEL, events.map((e) => ({ ...e, type: 'email_open' })), NOW);
    const all = score(MODEL, {}, events.map((e) => ({ ...e, type: 'email_open' })), NOW);
    const pruned = score(MODEL, {}, kept, NOW);
    expect(pruned).toEqual(all);
  });
});
