import { businessDurationSchema, businessHoursSchema, toBusinessHours } from '../../../src/schemas/business-hours';
import { addBusinessTime } from '../../../src/domain/business-time/open-time';

const valid = { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', holidays: 'jp' };

/** The issues of parsing `valid` with `change` applied, as "path: message". */
function issues(change: Record<string, unknown>): string[] {
  const result = businessHoursSchema.safeParse({ ...valid, ...change });
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('businessHoursSchema', () => {
  it('accepts a calendar, defaults closed to [] and sorts and deduplicates it', () => {
    expect(businessHoursSchema.parse(valid).closed).toEqual([]);
    const parsed = businessHoursSchema.parse({ ...valid, closed: ['2027-01-02', '2026-12-31', '2027-01-02'] });
    expect(parsed.closed).toEqual(['2026-12-31', '2027-01-02']);
    expect(addBusinessTime(Date.parse('2026-12-31T00:00:00Z'), 0, toBusinessHours(parsed))).toBe(Date.parse('2027-01-04T00:00:00Z'));
    expect(businessHoursSchema.parse({ ...valid, from: '00:00', to: '24:00' }).to).toBe('24:00');
  });

  const invalid: [field: string, value: unknown][] = [
    ['timeZone', 'Mars/Olympus'],
    ['timeZone', undefined],
    ['days', []],
    ['days', ['mon', 'mon']],
    ['days', ['monday']],
    ['days', 'mon'],
    ['from', '9:00'],
    ['from', '24:01'],
    ['to', '18:60'],
    ['to', '08:00'], // before from
    ['to', '09:00'], // equal to from
    ['holidays', undefined], // required: no silent default for 祝日
    ['holidays', 'us'],
    ['closed', ['2026-02-30']],
    ['closed', ['2026/12/29']],
    ['closed', '2026-12-29'],
    ['closed', Array.from({ length: 501 }, () => '2026-12-29')],
  ];

  it.each(invalid)('rejects %s = %j with a message naming it', (field, value) => {
    const found = issues({ [field]: value });
    expect(found).not.toHaveLength(0);
    for (const issue of found) expect(issue).toMatch(new RegExp(`^${field}(\\.\\d+)?: ${field} `));
  });

  it('rejects unknown fields', () => {
    expect(issues({ timezone: 'Asia/Tokyo' }).join()).toMatch(/timezone/);
  });
});

describe('businessDurationSchema', () => {
  it.each(['24h', '90s', '30d', '8bh', '1bd', '2000bh', '250bd', ' 8bh '])('accepts %j', (value) => {
    expect(businessDurationSchema.safeParse(value).success).toBe(true);
  });

  it.each([
    ['soon', /must be a duration/],
    ['8 bh', /must be a duration/],
    ['1.5bd', /must be a duration/],
    ['2001bh', /at most/],
    ['251bd', /at most/],
    ['6y', /at most/],
    ['', /./],
  ])('rejects %j', (value, message) => {
    const result = businessDurationSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(message);
  });
});
