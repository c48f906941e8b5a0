import { isTimeZone } from '../../src/domain/zoned-time';
import { emptyMetrics, MAX_RANGE_DAYS, ratio, resolveRange } from '../../src/reports/funnel';
import { localMidnight, parseReportBound, startOfLocalDayAfter } from '../../src/reports/local-day';
import { compareSla, slaStatus } from '../../src/reports/sla';

describe('report helpers', () => {
  it('ratio: rounds to 4 decimals and is null without a denominator', () => {
    expect(ratio(2, 7)).toEqual({ of: 7, count: 2, rate: 0.2857 });
    expect(ratio(1, 3)).toEqual({ of: 3, count: 1, rate: 0.3333 });
    expect(ratio(3, 3).rate).toBe(1);
    expect(ratio(0, 0)).toEqual({ of: 0, count: 0, rate: null });
  });

  it('resolveRange: defaults to the 12 weeks up to the end of today, refuses reversed, empty, huge or unparsable ranges', () => {
    const now = new Date('2026-03-01T10:30:00Z');
    expect(resolveRange(undefined, undefined, now)).toEqual({ from: new Date('2025-12-08T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') });
    // Whole local days in the report's zone: Tokyo's 2026-03-01 ends at 15:00 UTC.
    expect(resolveRange(undefined, undefined, now, 'Asia/Tokyo')).toEqual({ from: new Date('2025-12-07T15:00:00Z'), to: new Date('2026-03-01T15:00:00Z') });
    expect(resolveRange('2026-01-05', '2026-01-19', now, 'Asia/Tokyo')).toEqual({ from: new Date('2026-01-04T15:00:00Z'), to: new Date('2026-01-18T15:00:00Z') });
    expect(resolveRange('2026-01-05T09:00:00+09:00', undefined, now, 'Asia/Tokyo')).toMatchObject({ from: new Date('2026-01-05T00:00:00Z') });
    expect(resolveRange('2026-02-30', undefined, now)).toEqual({ error: 'from: not a date' });
    expect(resolveRange('2026-01-05', '2026-01-19', now)).toEqual({ from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-19T00:00:00Z') });
    expect(resolveRange('2026-01-05', '2026-01-05', now)).toEqual({ error: 'from: must be before to' });
    expect(resolveRange('2026-02-05', '2026-01-05', now)).toEqual({ error: 'from: must be before to' });
    expect(resolveRange('soon', undefined, now)).toEqual({ error: 'from: not a date' });
    expect(resolveRange(undefined, 'later', now)).toEqual({ error: 'to: not a date' });
    expect(resolveRange('2020-01-01', '2026-01-01', now)).toEqual({ error: `from: the range may not exceed ${MAX_RANGE_DAYS} days` });
  });

  it('local days: midnight across DST changes (23- and 25-hour days) and the date line', () => {
    // New York springs forward on 2026-03-08 (EST → EDT) and falls back on 2026-11-01.
    expect(localMidnight(2026, 3, 8, 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(localMidnight(2026, 3, 9, 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(localMidnight(2026, 11, 1, 'America/New_York').toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(localMidnight(2026, 11, 2, 'America/New_York').toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(localMidnight(2026, 3, 29, 'Europe/London').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(localMidnight(2026, 3, 30, 'Europe/London').toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(localMidnight(2026, 1, 1, 'Pacific/Kiritimati').toISOString()).toBe('2025-12-31T10:00:00.000Z');
    expect(localMidnight(2026, 1, 32, 'UTC').toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(startOfLocalDayAfter(new Date('2026-03-08T12:00:00Z'), 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
    expect(parseReportBound('2026-01-05', 'Asia/Kolkata').toISOString()).toBe('2026-01-04T18:30:00.000Z');
    expect(Number.isNaN(parseReportBound('2026-13-01', 'UTC').getTime())).toBe(true);
  });

  it('isTimeZone accepts IANA zones only', () => {
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('slaStatus: deadline = assignment + SLA; breached after a breach or past the deadline', () => {
    const assigned = new Date('2026-01-01T00:00:00Z');
    expect(slaStatus(assigned, '24h', 0, new Date('2026-01-01T20:00:00Z'))).toEqual({ deadline: new Date('2026-01-02T00:00:00Z'), secondsLeft: 4 * 3600, breached: false });
    expect(slaStatus(assigned, '3h', 0, new Date('2026-01-01T04:00:00Z'))).toMatchObject({ secondsLeft: -3600, breached: true });
    expect(slaStatus(assigned, '24h', 1, new Date('2026-01-01T01:00:00Z'))).toMatchObject({ secondsLeft: 23 * 3600, breached: true });
    expect(() => slaStatus(assigned, 'whenever', 0, assigned)).toThrow(/invalid duration/);
  });

  it('compareSla: breached first, then least time left, then id', () => {
    const rows = [
      { leadId: 'c', breached: false, secondsLeft: 100 },
      { leadId: 'b', breached: true, secondsLeft: 5000 },
      { leadId: 'a', breached: false, secondsLeft: 100 },
      { leadId: 'd', breached: true, secondsLeft: -10 },
    ];
    expect([...rows].sort(compareSla).map((r) => r.leadId)).toEqual(['d', 'b', 'a', 'c']);
  });

  it('emptyMetrics has zero counts and null rates', () => {
    expect(emptyMetrics()).toMatchObject({ leads: 0, mqls: 0, mqlToSql: { rate: null }, sla: { rate: null }, rejectionReasons: [] });
  });
});
