import {
  businessDurationFits,
  businessDurationMs,
  deadlineAfter,
  isBusinessDuration,
  leastOpenMsPerScan,
  MAX_BUSINESS_DAYS,
  MAX_BUSINESS_HOURS,
  parseBusinessDuration,
} from '../../../src/domain/business-time/durations';
import { at, HOUR, iso, NEW_YORK, TOKYO } from './examples';

describe('business durations', () => {
  it('parses "Nbh" and "Nbd" and nothing else', () => {
    expect(parseBusinessDuration('8bh')).toEqual({ unit: 'hours', count: 8 });
    expect(parseBusinessDuration('1bd')).toEqual({ unit: 'days', count: 1 });
    for (const s of ['24h', '8 bh', '1.5bd', 'bd', '-1bh', '8BH', '8bhx', '']) expect(parseBusinessDuration(s)).toBeNull();
  });

  it('bounds them', () => {
    expect(isBusinessDuration(`${MAX_BUSINESS_HOURS}bh`)).toBe(true);
    expect(isBusinessDuration(`${MAX_BUSINESS_HOURS + 1}bh`)).toBe(false);
    expect(isBusinessDuration(`${MAX_BUSINESS_DAYS}bd`)).toBe(true);
    expect(isBusinessDuration(`${MAX_BUSINESS_DAYS + 1}bd`)).toBe(false);
    expect(isBusinessDuration('24h')).toBe(false);
  });

  it('makes a business day one full day of open hours (09:00–18:00 → 9 h)', () => {
    expect(businessDurationMs({ unit: 'days', count: 2 }, TOKYO)).toBe(18 * HOUR);
    expect(businessDurationMs({ unit: 'days', count: 1 }, NEW_YORK)).toBe(8 * HOUR);
  });
});

describe('deadlineAfter', () => {
  const closed = ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'];

  it('keeps plain durations wall-clock, with or without business hours', () => {
    const start = at('2026-01-16T17:00:00+09:00');
    expect(deadlineAfter(start, '24h', TOKYO)).toBe(start + 24 * HOUR);
    expect(deadlineAfter(start, '90s', undefined)).toBe(start + 90_000);
  });

  it('counts business durations in open time', () => {
    expect(iso(deadlineAfter(at('2026-01-16T17:00:00+09:00'), '8bh', TOKYO))).toBe(iso(at('2026-01-19T16:00:00+09:00')));
    // 1bd = 9 business hours: 1 h on Mon 12-28, 8 h on the first open day after the closure.
    expect(iso(deadlineAfter(at('2026-12-28T17:00:00+09:00'), '1bd', { ...TOKYO, closed }))).toBe(iso(at('2027-01-04T17:00:00+09:00')));
  });

  it('throws for a business duration without hours, beyond the bounds, or malformed', () => {
    expect(() => deadlineAfter(0, '8bh', undefined)).toThrow(/needs business hours/);
    expect(() => deadlineAfter(0, '2001bh', TOKYO)).toThrow(/exceeds/);
    expect(() => deadlineAfter(0, 'soon', TOKYO)).toThrow(/invalid duration/);
  });
});

describe('businessDurationFits (the policy × calendar check)', () => {
  it('accepts the bounds for a usual calendar', () => {
    expect(businessDurationFits(`${MAX_BUSINESS_HOURS}bh`, TOKYO)).toBe(true);
    expect(businessDurationFits(`${MAX_BUSINESS_DAYS}bd`, TOKYO)).toBe(true);
    expect(businessDurationFits('24h', TOKYO)).toBe(true);
  });

  it('rejects what a sparse calendar cannot reach in one scan', () => {
    const sparse = { ...TOKYO, days: ['mon' as const], from: '09:00', to: '10:00' };
    expect(leastOpenMsPerScan(sparse)).toBeLessThan(200 * HOUR);
    expect(businessDurationFits('200bh', sparse)).toBe(false);
    expect(businessDurationFits('80bh', sparse)).toBe(true);
    expect(businessDurationFits('2001bh', TOKYO)).toBe(false);
    // Conservative: every closed date counts as a lost open day, wherever the scan starts.
    const manyClosures = { ...TOKYO, closed: Array.from({ length: 500 }, (_, i) => iso(at('2030-01-01T00:00:00Z') + i * 86_400_000).slice(0, 10)) };
    expect(businessDurationFits('2000bh', manyClosures)).toBe(false);
    expect(businessDurationFits('1500bh', manyClosures)).toBe(true);
  });
});
