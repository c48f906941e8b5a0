import { userBodySchema, userEmail } from '../../src/schemas/user';
import { absenceRanges } from '../../src/users/out-of-office';

const valid = { name: '山田 太郎', role: 'sales', locale: 'ja' };
const issues = (body: unknown) => {
  const r = userBodySchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const fields = (body: unknown) => [...new Set(issues(body).map((i) => i.split(':')[0]))];

describe('userBodySchema', () => {
  it('takes a full body, trimmed', () => {
    const body = { ...valid, name: '  Taro Yamada ', team: '東日本営業部 1', timeZone: 'Asia/Tokyo', capacity: 25, outOfOffice: [{ from: '2026-12-28', to: '2027-01-04' }, { from: '2026-08-10T09:00:00+09:00', to: '2026-08-10T18:00:00+09:00' }] };
    expect(userBodySchema.parse(body)).toMatchObject({ name: 'Taro Yamada', team: '東日本営業部 1', capacity: 25 });
    expect(issues(valid)).toEqual([]);
  });

  it('refuses hostile names: empty, too long, control characters, newlines, bidi overrides', () => {
    for (const name of ['', '   ', 'x'.repeat(201), 'Evil\r\nBcc: a@b.test', 'tab\there', 'nul\u0000', 'del\u007f', 'line\u2028sep', 'abc\u202edcba']) {
      expect([name, fields({ ...valid, name })]).toEqual([name, ['name']]);
    }
    expect(issues({ ...valid, name: 'x'.repeat(200) })).toEqual([]);
  });

  it('refuses a bad role, locale, team, zone or capacity, naming the field', () => {
    expect(fields({ ...valid, role: 'admin' })).toEqual(['role']);
    expect(fields({ ...valid, locale: 'fr' })).toEqual(['locale']);
    expect(fields({ ...valid, team: 'a'.repeat(65) })).toEqual(['team']);
    expect(fields({ ...valid, team: '<script>' })).toEqual(['team']);
    expect(fields({ ...valid, team: 'West\nEast' })).toEqual(['team']);
    expect(fields({ ...valid, timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    expect(fields({ ...valid, capacity: -1 })).toEqual(['capacity']);
    expect(fields({ ...valid, capacity: 10_001 })).toEqual(['capacity']);
    expect(fields({ ...valid, capacity: 1.5 })).toEqual(['capacity']);
    expect(fields({ ...valid, capacity: '5' })).toEqual(['capacity']);
    expect(fields({ ...valid, admin: true })).toEqual(['']);
    expect(fields({ name: 'x', role: 'sales' })).toEqual(['locale']);
  });

  it('takes out-of-office ranges of instants or dates, from before to, at most 50', () => {
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-12-28', to: '2026-12-28' }] })).toEqual([]); // one whole day
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-12-29', to: '2026-12-28' }] })).toEqual(['outOfOffice.0.to']);
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-12-28T10:00:00Z', to: '2026-12-28T10:00:00Z' }] })).toEqual(['outOfOffice.0.to']);
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-02-31', to: '2026-03-02' }] })).toEqual(['outOfOffice.0.from']);
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-12-28T10:00:00', to: '2026-12-29' }] })).toEqual(['outOfOffice.0.from']); // no zone
    expect(fields({ ...valid, outOfOffice: [{ from: 'tomorrow', to: 'later' }] })).toEqual(['outOfOffice.0.from', 'outOfOffice.0.to']);
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-12-28' }] })).toEqual(['outOfOffice.0.to']);
    expect(fields({ ...valid, outOfOffice: [{ from: '2026-12-28', to: '2026-12-29', note: 'x' }] })).toEqual(['outOfOffice.0']);
    const many = Array.from({ length: 51 }, () => ({ from: '2026-12-28', to: '2026-12-29' }));
    expect(fields({ ...valid, outOfOffice: many })).toEqual(['outOfOffice']);
    expect(fields({ ...valid, outOfOffice: many.slice(0, 50) })).toEqual([]);
  });

  it('reads a date range in the user zone: whole local days, the last one included', () => {
    expect(absenceRanges([{ from: '2026-12-28', to: '2027-01-04' }], 'Asia/Tokyo')).toEqual([{ from: Date.parse('2026-12-27T15:00:00Z'), to: Date.parse('2027-01-04T15:00:00Z') }]);
    expect(absenceRanges([{ from: '2026-07-01', to: '2026-07-01' }], 'Europe/London')).toEqual([{ from: Date.parse('2026-06-30T23:00:00Z'), to: Date.parse('2026-07-01T23:00:00Z') }]);
    expect(absenceRanges([{ from: '2026-07-01', to: '2026-07-01' }], null)).toEqual([{ from: Date.parse('2026-06-30T15:00:00Z'), to: Date.parse('2026-07-01T15:00:00Z') }]); // Asia/Tokyo
    expect(absenceRanges([{ from: '2026-07-01T09:00:00+02:00', to: '2026-07-01T10:00:00Z' }], 'Asia/Tokyo')).toEqual([{ from: Date.parse('2026-07-01T07:00:00Z'), to: Date.parse('2026-07-01T10:00:00Z') }]);
  });
});

describe('userEmail', () => {
  it('is a trimmed email address of at most 254 characters', () => {
    expect(userEmail.parse(' Rep@Sales.test ')).toBe('Rep@Sales.test');
    expect(userEmail.safeParse(`${'a'.repeat(64)}@${'b'.repeat(180)}.test`).success).toBe(true);
    expect(userEmail.safeParse(`${'a'.repeat(64)}@${'b'.repeat(190)}.test`).success).toBe(false);
    for (const bad of ['', 'rep', 'rep@', '@sales.test', 'rep@sales.test\r\nBcc: x@y.test', 'a b@sales.test']) expect([bad, userEmail.safeParse(bad).success]).toEqual([bad, false]);
  });
});
