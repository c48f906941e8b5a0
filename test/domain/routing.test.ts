import { availableOwners, poolFor, rotate, type OwnerDirectoryEntry, type RoutingRule } from '../../src/domain/routing';

const RULES: RoutingRule[] = [
  { id: 'enterprise', when: { attribute: 'employees', gte: 1000 }, owners: ['ent1@sales.test', 'ent2@sales.test'] },
  { id: 'mid', when: { attribute: 'employees', gte: 100, lte: 999 }, owners: ['mid@sales.test'] },
  { id: 'kansai', when: { attribute: 'region', oneOf: ['Osaka', 'Kyoto', 'Hyogo'] }, owners: ['west@sales.test'] },
  { id: 'partner', when: { attribute: 'partner', equals: true }, owners: ['partner@sales.test'] },
  { id: 'finance', when: { attribute: 'industry', equals: 'Finance' }, owners: ['fin@sales.test'] },
];
const DEFAULTS = ['a@sales.test', 'b@sales.test'];

describe('poolFor', () => {
  const pool = (attributes: Record<string, unknown>) => poolFor(RULES, attributes, DEFAULTS);

  it('takes the first matching rule, in rule order', () => {
    expect(pool({ employees: 5000, region: 'Osaka' })).toEqual({ poolId: 'enterprise', owners: ['ent1@sales.test', 'ent2@sales.test'], assignedBy: 'enterprise' });
    expect(pool({ employees: 10, region: 'Osaka' })).toMatchObject({ poolId: 'kansai' });
  });

  it('falls back to the default owners when no rule matches, or the attribute is missing or null', () => {
    expect(pool({})).toEqual({ poolId: 'default', owners: DEFAULTS, assignedBy: 'fallback' });
    expect(pool({ employees: null, region: null })).toMatchObject({ poolId: 'default' });
    expect(poolFor([], { employees: 5000 }, [])).toEqual({ poolId: 'default', owners: [], assignedBy: 'fallback' });
  });

  it('needs every condition of a rule (a range is gte AND lte), bounds inclusive', () => {
    expect(pool({ employees: 100 })).toMatchObject({ poolId: 'mid' });
    expect(pool({ employees: 999 })).toMatchObject({ poolId: 'mid' });
    expect(pool({ employees: 99 })).toMatchObject({ poolId: 'default' });
    expect(pool({ employees: 1000 })).toMatchObject({ poolId: 'enterprise' });
  });

  it('compares numbers numerically, also numeric strings, and never a non-number with gte/lte', () => {
    expect(pool({ employees: '1500' })).toMatchObject({ poolId: 'enterprise' });
    expect(pool({ employees: ' 250 ' })).toMatchObject({ poolId: 'mid' });
    expect(pool({ employees: 'many' })).toMatchObject({ poolId: 'default' });
    expect(pool({ employees: '' })).toMatchObject({ poolId: 'default' });
    expect(pool({ employees: true })).toMatchObject({ poolId: 'default' });
    expect(pool({ employees: Number.NaN })).toMatchObject({ poolId: 'default' });
    const exact: RoutingRule[] = [{ id: 'ten', when: { attribute: 'n', equals: 10 }, owners: ['x@t.test'] }];
    expect(poolFor(exact, { n: '10.0' }, DEFAULTS).poolId).toBe('ten');
    expect(poolFor(exact, { n: 10.5 }, DEFAULTS).poolId).toBe('default');
  });

  it('compares strings case-insensitively after trim', () => {
    expect(pool({ region: '  kyoto ' })).toMatchObject({ poolId: 'kansai' });
    expect(pool({ industry: 'FINANCE' })).toMatchObject({ poolId: 'finance' });
    expect(pool({ industry: 'Fin ance' })).toMatchObject({ poolId: 'default' });
    expect(pool({ region: 'Tokyo' })).toMatchObject({ poolId: 'default' });
  });

  it('compares booleans exactly ("true" is not true)', () => {
    expect(pool({ partner: true })).toMatchObject({ poolId: 'partner' });
    expect(pool({ partner: 'true' })).toMatchObject({ poolId: 'default' });
    expect(pool({ partner: 1 })).toMatchObject({ poolId: 'default' });
  });

  it('returns a copy of the owners (callers may not change the rules through it)', () => {
    const result = pool({ partner: true });
    result.owners.push('intruder@evil.test');
    expect(RULES[3]!.owners).toEqual(['partner@sales.test']);
  });
});

describe('availableOwners', () => {
  const at = Date.parse('2026-12-28T01:00:00Z');
  const user = (fields: Partial<OwnerDirectoryEntry>): OwnerDirectoryEntry => ({ outOfOffice: [], capacity: null, ...fields });
  const owners = ['A@sales.test', 'b@sales.test', 'c@sales.test', 'd@sales.test'];

  it('says why each owner is skipped, in pool order, with emails compared case-insensitively', () => {
    const users = new Map([
      ['a@sales.test', user({ outOfOffice: [{ from: at - 1000, to: at + 1000 }] })],
      ['b@sales.test', user({ capacity: 2 })],
      ['c@sales.test', user({ capacity: 3 })],
    ]);
    const openLeads = new Map([['b@sales.test', 2], ['c@sales.test', 2]]);
    expect(availableOwners(owners, { users, openLeads, at, exclude: [' D@Sales.test'] })).toEqual([
      { owner: 'A@sales.test', skipped: 'out_of_office' },
      { owner: 'b@sales.test', skipped: 'at_capacity' },
      { owner: 'c@sales.test', skipped: null },
      { owner: 'd@sales.test', skipped: 'excluded' },
    ]);
  });

  it('counts an absence from `from` inclusive to `to` exclusive', () => {
    const users = new Map([['a@sales.test', user({ outOfOffice: [{ from: at, to: at + 1000 }] })]]);
    const skippedAt = (t: number) => availableOwners(['a@sales.test'], { users, openLeads: new Map(), at: t, exclude: [] })[0]!.skipped;
    expect(skippedAt(at - 1)).toBeNull();
    expect(skippedAt(at)).toBe('out_of_office');
    expect(skippedAt(at + 999)).toBe('out_of_office');
    expect(skippedAt(at + 1000)).toBeNull();
  });

  it('treats an owner missing from the directory as available without limit, and capacity 0 as never', () => {
    const users = new Map([['zero@sales.test', user({ capacity: 0 })]]);
    const openLeads = new Map([['ghost@sales.test', 10_000]]);
    expect(availableOwners(['ghost@sales.test', 'zero@sales.test'], { users, openLeads, at, exclude: [] })).toEqual([
      { owner: 'ghost@sales.test', skipped: null },
      { owner: 'zero@sales.test', skipped: 'at_capacity' },
    ]);
  });

  it('says excluded before any other reason', () => {
    const users = new Map([['a@sales.test', user({ capacity: 0, outOfOffice: [{ from: at - 1, to: at + 1 }] })]]);
    expect(availableOwners(['a@sales.test'], { users, openLeads: new Map(), at, exclude: ['a@sales.test'] })[0]!.skipped).toBe('excluded');
  });
});

describe('rotate', () => {
  const free = (owner: string) => ({ owner, skipped: null });
  const away = (owner: string) => ({ owner, skipped: 'out_of_office' as const });

  it('starts at `start` mod n and wraps around', () => {
    const pool = [free('a'), free('b'), free('c')];
    expect([0, 1, 2, 3, 4, -1].map((s) => rotate(pool, s).owner)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('passes over skipped owners and says how far it went', () => {
    expect(rotate([free('a'), away('b'), away('c')], 1)).toEqual({
      owner: 'a',
      offset: 2,
      skipped: [{ owner: 'b', reason: 'out_of_office' }, { owner: 'c', reason: 'out_of_office' }],
    });
  });

  it('answers null when nobody is available, or the pool is empty', () => {
    expect(rotate([away('a'), away('b')], 7)).toEqual({ owner: null, offset: 2, skipped: [{ owner: 'b', reason: 'out_of_office' }, { owner: 'a', reason: 'out_of_office' }] });
    expect(rotate([], 3)).toEqual({ owner: null, offset: 0, skipped: [] });
  });
});
