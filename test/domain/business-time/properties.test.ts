import fc from 'fast-check';
import { isOpen, type BusinessHours } from '../../../src/domain/business-time/calendar';
import { leastOpenMsPerScan } from '../../../src/domain/business-time/durations';
import { addBusinessTime, businessMsBetween } from '../../../src/domain/business-time/open-time';
import { WEEKDAYS } from '../../../src/domain/zoned-time';
import { at, HOUR } from './examples';

const DAY = 86_400_000;
const FROM = at('2026-01-01T00:00:00Z');
const UNTIL = at('2028-01-01T00:00:00Z');
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

// Zones with DST at 02:00 (New York, London), a 30-minute change (Lord Howe), a change at midnight (Santiago), and none.
const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'UTC'];

const calendar: fc.Arbitrary<BusinessHours> = fc
  .record({
    timeZone: fc.constantFrom(...zones),
    days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
    from: fc.integer({ min: 0, max: 1439 }),
    length: fc.integer({ min: 1, max: 1440 }),
    holidays: fc.constantFrom('jp' as const, 'none' as const),
    closed: fc.array(fc.integer({ min: 0, max: 729 }).map((d) => new Date(FROM + d * DAY).toISOString().slice(0, 10)), { maxLength: 30 }),
  })
  .map(({ from, length, ...rest }) => ({ ...rest, from: hhmm(from), to: hhmm(Math.min(1440, from + length)) }));

const instant = fc.integer({ min: FROM, max: UNTIL });
/** A share of what the calendar surely holds in one scan (capped at 300 h so that a run stays fast). */
const share = fc.integer({ min: 0, max: 1_000_000 });
const amountFor = (hours: BusinessHours, part: number) => Math.floor((Math.min(300 * HOUR, leastOpenMsPerScan(hours) / 2) * part) / 1_000_000);

const options = { numRuns: 200 };

describe('addBusinessTime properties', () => {
  it('never lands inside closed time: the result is open, or exactly a closing instant', () => {
    fc.assert(
      fc.property(calendar, instant, share, (hours, start, part) => {
        const amount = amountFor(hours, part);
        const t = addBusinessTime(start, amount, hours);
        expect(t).toBeGreaterThanOrEqual(start);
        if (isOpen(t, hours)) return;
        // Not open: then it closes a day that the amount filled (the millisecond before is open).
        expect(amount).toBeGreaterThan(0);
        expect(isOpen(t - 1, hours)).toBe(true);
      }),
      options,
    );
  });

  it('is monotonic in the start and in the amount', () => {
    fc.assert(
      fc.property(calendar, instant, instant, share, share, (hours, s1, s2, p1, p2) => {
        const [early, late] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const [less, more] = [amountFor(hours, Math.min(p1, p2)), amountFor(hours, Math.max(p1, p2))];
        expect(addBusinessTime(early, less, hours)).toBeLessThanOrEqual(addBusinessTime(late, less, hours));
        expect(addBusinessTime(early, less, hours)).toBeLessThanOrEqual(addBusinessTime(early, more, hours));
      }),
      options,
    );
  });

  it('adds up: start + (a + b) = (start + a) + b for every a ≥ 0 and b > 0', () => {
    fc.assert(
      fc.property(calendar, instant, share, share, (hours, start, p1, p2) => {
        const a = amountFor(hours, p1);
        const b = Math.max(1, amountFor(hours, p2));
        expect(addBusinessTime(addBusinessTime(start, a, hours), b, hours)).toBe(addBusinessTime(start, a + b, hours));
      }),
      options,
    );
  });

  it('fails to add up only for b = 0 after a day that ends exactly: then the sum moves on to the next opening', () => {
    const hours: BusinessHours = { timeZone: 'Asia/Tokyo', days: ['fri'], from: '09:00', to: '18:00', holidays: 'none', closed: [] };
    const closing = addBusinessTime(at('2026-01-16T10:00:00+09:00'), 8 * HOUR, hours);
    expect(addBusinessTime(closing, 0, hours)).toBe(at('2026-01-23T09:00:00+09:00'));
  });

  it('is undone by businessMsBetween', () => {
    fc.assert(
      fc.property(calendar, instant, share, (hours, start, part) => {
        const amount = amountFor(hours, part);
        expect(businessMsBetween(start, addBusinessTime(start, amount, hours), hours)).toBe(amount);
      }),
      options,
    );
  });
});
