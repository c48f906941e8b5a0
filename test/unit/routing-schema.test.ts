import { routingSchema } from '../../src/schemas/routing';

const rule = (id: string, fields: Record<string, unknown> = {}) => ({ id, when: { attribute: 'employees', gte: 100 }, owners: ['a@sales.test'], ...fields });
const fields = (body: unknown) => {
  const r = routingSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('routingSchema', () => {
  it('takes rules with one or several conditions', () => {
    const body = {
      rules: [
        rule('mid', { when: { attribute: 'employees', gte: 100, lte: 999 } }),
        rule('kansai', { when: { attribute: 'region', oneOf: ['Osaka', 'Kyoto'] } }),
        rule('partner', { when: { attribute: 'partner', equals: true } }),
      ],
    };
    expect(routingSchema.parse(body).rules).toHaveLength(3);
    expect(fields({ rules: [] })).toEqual([]);
  });

  it('refuses duplicate or reserved ids, and bad ids', () => {
    expect(fields({ rules: [rule('a'), rule('b'), rule('a')] })).toEqual(['rules.2.id']);
    expect(fields({ rules: [rule('default')] })).toEqual(['rules.0.id']);
    expect(fields({ rules: [rule('fallback')] })).toEqual(['rules.0.id']);
    expect(fields({ rules: [rule('bad id')] })).toEqual(['rules.0.id']);
  });

  it('refuses a rule without a condition, an empty range, or a bad attribute name', () => {
    expect(fields({ rules: [rule('a', { when: { attribute: 'employees' } })] })).toEqual(['rules.0.when']);
    expect(fields({ rules: [rule('a', { when: { attribute: 'employees', gte: 10, lte: 5 } })] })).toEqual(['rules.0.when.lte']);
    expect(fields({ rules: [rule('a', { when: { attribute: 'x'.repeat(65), gte: 1 } })] })).toEqual(['rules.0.when.attribute']);
    expect(fields({ rules: [rule('a', { when: { attribute: '__proto__ x', gte: 1 } })] })).toEqual(['rules.0.when.attribute']);
    expect(fields({ rules: [rule('a', { when: { attribute: 'n', gte: 1, regex: '.*' } })] })).toEqual(['rules.0.when']);
  });

  it('bounds rules and owners, and checks owners are distinct email addresses', () => {
    expect(fields({ rules: Array.from({ length: 51 }, (_, i) => rule(`r${i}`)) })).toEqual(['rules']);
    expect(fields({ rules: Array.from({ length: 50 }, (_, i) => rule(`r${i}`)) })).toEqual([]);
    const owners = (n: number) => Array.from({ length: n }, (_, i) => `o${i}@sales.test`);
    expect(fields({ rules: [rule('a', { owners: owners(51) })] })).toEqual(['rules.0.owners']);
    expect(fields({ rules: [rule('a', { owners: owners(50) })] })).toEqual([]);
    expect(fields({ rules: [rule('a', { owners: [] })] })).toEqual(['rules.0.owners']);
    expect(fields({ rules: [rule('a', { owners: ['not-an-email'] })] })).toEqual(['rules.0.owners.0']);
    expect(fields({ rules: [rule('a', { owners: ['A@sales.test', ' a@SALES.test'] })] })).toEqual(['rules.0.owners']);
  });
});
