import { campaignBodySchema } from '../../src/catalog/schemas';
import { enrollLeadSchema } from '../../src/schemas/lead';
import { policySchema } from '../../src/schemas/campaign';

const base = { name: 'c', steps: [{ id: 'a', delay: '0s', subject: 's', body: 'b' }] };
const issues = (value: unknown) => {
  const parsed = campaignBodySchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('campaign send windows at the API boundary', () => {
  it('accepts a weekday window with a zone', () => {
    expect(issues({ ...base, sendWindow: { days: ['mon', 'fri'], from: '09:00', to: '18:00', timezone: 'Europe/London' } })).toEqual([]);
    expect(issues({ ...base, sendWindow: { days: ['sat'], from: '00:00', to: '24:00' } })).toEqual([]);
  });

  it('refuses overnight windows, bad clocks, unknown days and zones, naming the field', () => {
    expect(issues({ ...base, sendWindow: { days: ['mon'], from: '22:00', to: '06:00' } })).toEqual([expect.stringMatching(/^sendWindow\.to: to must be after from/)]);
    expect(issues({ ...base, sendWindow: { days: ['mon'], from: '9:00', to: '18:00' } })).toEqual([expect.stringMatching(/^sendWindow\.from: /)]);
    expect(issues({ ...base, sendWindow: { days: ['monday'], from: '09:00', to: '18:00' } })[0]).toMatch(/^sendWindow\.days\.0: /);
    expect(issues({ ...base, sendWindow: { days: ['mon', 'mon'], from: '09:00', to: '18:00' } })).toEqual(['sendWindow.days: days must not repeat']);
    expect(issues({ ...base, sendWindow: { days: ['mon'], from: '09:00', to: '18:00', timezone: 'Tokyo' } })).toEqual([expect.stringMatching(/^sendWindow\.timezone: must be an IANA time zone/)]);
  });

  it('validates the lead\'s time zone at enrolment', () => {
    expect(enrollLeadSchema.safeParse({ email: 'a@b.test', timezone: 'Asia/Tokyo' }).success).toBe(true);
    const bad = enrollLeadSchema.safeParse({ email: 'a@b.test', timezone: 'JST+9' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['timezone']);
  });
});

describe('policy business time', () => {
  const policy = (extra: Record<string, unknown>) => policySchema.safeParse({ owners: ['a@example.com'], manager: 'm@example.com', ...extra });
  const hours = { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', holidays: 'jp' };
  const problems = (r: ReturnType<typeof policy>) => (r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));

  it('accepts business durations with business hours, and refuses them without, naming the field', () => {
    expect(policy({ sla: '8bh', qualificationWindow: '2bd', attemptInterval: '1bd', businessHours: hours }).success).toBe(true);
    expect(problems(policy({ sla: '8bh' }))).toEqual(['sla: sla: business time ("8bh") needs policy.businessHours']);
    expect(problems(policy({ attemptInterval: '1bd' }))).toEqual(['attemptInterval: attemptInterval: business time ("1bd") needs policy.businessHours']);
  });

  it('invalid hours beside a business duration give their own issue, never an exception', () => {
    expect(problems(policy({ sla: '8bh', businessHours: { ...hours, from: '25:00' } })).some((p) => p.startsWith('businessHours.from'))).toBe(true);
    expect(problems(policy({ sla: '250bd', businessHours: { ...hours, days: [] } })).some((p) => p.startsWith('businessHours.days'))).toBe(true);
  });

  it('bounds the attempts', () => {
    expect(problems(policy({ maxContactAttempts: 0 }))[0]).toMatch(/^maxContactAttempts/);
    expect(problems(policy({ maxContactAttempts: 21 }))[0]).toMatch(/^maxContactAttempts/);
  });
});
