import { isOpen, isOpenDay } from '../../../src/domain/business-time/calendar';
import { addBusinessTime, businessMsBetween, MAX_SCAN_DAYS } from '../../../src/domain/business-time/open-time';
import { at, HOUR, iso, NEW_YORK, TOKYO } from './examples';

const add = (start: string, hours: number, calendar = TOKYO) => iso(addBusinessTime(at(start), hours * HOUR, calendar));

describe('addBusinessTime (Mon–Fri 09:00–18:00 Asia/Tokyo, JP holidays)', () => {
  it('carries what is left of Friday over the weekend', () => {
    expect(add('2026-01-16T17:00:00+09:00', 8)).toBe(iso(at('2026-01-19T16:00:00+09:00'))); // Fri 17:00 → Mon 16:00
    expect(add('2026-01-17T10:00:00+09:00', 8)).toBe(iso(at('2026-01-19T17:00:00+09:00'))); // Sat 10:00 → Mon 17:00
  });

  it('skips a Monday public holiday (成人の日 2026-01-12, 海の日 2027-07-19)', () => {
    expect(add('2026-01-09T17:00:00+09:00', 8)).toBe(iso(at('2026-01-13T16:00:00+09:00')));
    expect(add('2026-01-10T10:00:00+09:00', 8)).toBe(iso(at('2026-01-13T17:00:00+09:00')));
    expect(add('2027-07-17T10:00:00+09:00', 8)).toBe(iso(at('2027-07-20T17:00:00+09:00')));
  });

  it('ends at the closing instant when the amount fills the day, and starts at opening for 0', () => {
    expect(add('2026-01-16T10:00:00+09:00', 8)).toBe(iso(at('2026-01-16T18:00:00+09:00')));
    expect(add('2026-01-16T18:00:00+09:00', 0)).toBe(iso(at('2026-01-19T09:00:00+09:00'))); // closing is not open
    expect(add('2026-01-16T12:34:00+09:00', 0)).toBe(iso(at('2026-01-16T12:34:00+09:00')));
    expect(add('2026-01-16T07:00:00+09:00', 0)).toBe(iso(at('2026-01-16T09:00:00+09:00')));
  });

  it('skips company closures across the year end (年末年始)', () => {
    const closed = ['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03'];
    const calendar = { ...TOKYO, closed };
    // 9 business hours: 1 h on Mon 12-28, 8 h on Mon 01-04.
    expect(add('2026-12-28T17:00:00+09:00', 9, calendar)).toBe(iso(at('2027-01-04T17:00:00+09:00')));
    expect(isOpenDay('2026-12-30', calendar)).toBe(false);
    expect(isOpenDay('2026-12-30', TOKYO)).toBe(true);
    expect(businessMsBetween(at('2026-12-25T09:00:00+09:00'), at('2027-01-05T09:00:00+09:00'), calendar)).toBe(27 * HOUR) // Fri 12-25, Mon 12-28, Mon 01-04;
  });

  it('rejects a negative or non-finite amount', () => {
    expect(() => addBusinessTime(0, -1, TOKYO)).toThrow(/invalid business time/);
    expect(() => addBusinessTime(0, Number.NaN, TOKYO)).toThrow(/invalid business time/);
  });

  it('throws a clear error instead of scanning without end', () => {
    const closedMondays = { ...TOKYO, days: ['mon' as const], closed: [] as string[] };
    for (let d = at('2026-01-05T00:00:00Z'); closedMondays.closed.length < 500; d += 7 * 86_400_000) {
      closedMondays.closed.push(iso(d).slice(0, 10));
    }
    expect(() => addBusinessTime(at('2026-01-01T00:00:00Z'), HOUR, closedMondays)).toThrow(new RegExp(`more than ${MAX_SCAN_DAYS} days`));
    expect(() => businessMsBetween(0, at('2026-01-01T00:00:00Z'), TOKYO)).toThrow(/more than/);
  });
});

describe('isOpen', () => {
  it('is [from, to) of open days in local time', () => {
    expect(isOpen(at('2026-01-16T09:00:00+09:00'), TOKYO)).toBe(true);
    expect(isOpen(at('2026-01-16T17:59:59.999+09:00'), TOKYO)).toBe(true);
    expect(isOpen(at('2026-01-16T18:00:00+09:00'), TOKYO)).toBe(false);
    expect(isOpen(at('2026-01-17T10:00:00+09:00'), TOKYO)).toBe(false); // Saturday
    expect(isOpen(at('2026-01-12T10:00:00+09:00'), TOKYO)).toBe(false); // 成人の日
    expect(isOpen(at('2026-01-12T10:00:00+09:00'), { ...TOKYO, holidays: 'none' })).toBe(true);
  });
});

describe('America/New_York across DST (Mon–Fri 09:00–17:00)', () => {
  it('keeps local wall-clock hours when clocks spring forward (2026-03-08)', () => {
    expect(add('2026-03-06T16:00:00-05:00', 8, NEW_YORK)).toBe(iso(at('2026-03-09T16:00:00-04:00')));
    expect(businessMsBetween(at('2026-03-06T09:00:00-05:00'), at('2026-03-09T09:00:00-04:00'), NEW_YORK)).toBe(8 * HOUR);
    expect(isOpen(at('2026-03-09T13:00:00Z'), NEW_YORK)).toBe(true); // 09:00 EDT
  });

  it('keeps local wall-clock hours when clocks fall back (2026-11-01)', () => {
    expect(add('2026-10-30T16:00:00-04:00', 8, NEW_YORK)).toBe(iso(at('2026-11-02T16:00:00-05:00')));
    expect(businessMsBetween(at('2026-10-30T09:00:00-04:00'), at('2026-11-02T17:00:00-05:00'), NEW_YORK)).toBe(16 * HOUR);
    expect(isOpen(at('2026-11-02T13:30:00Z'), NEW_YORK)).toBe(false); // 08:30 EST
  });

  it('counts real time on a change day whose open hours contain the change', () => {
    const allDay = { ...NEW_YORK, days: ['sun' as const], from: '00:00', to: '24:00' };
    expect(businessMsBetween(at('2026-03-08T00:00:00-05:00'), at('2026-03-09T00:00:00-04:00'), allDay)).toBe(23 * HOUR);
    expect(businessMsBetween(at('2026-11-01T00:00:00-04:00'), at('2026-11-02T00:00:00-05:00'), allDay)).toBe(25 * HOUR);
  });
});

describe('businessMsBetween', () => {
  it('counts open time only, and 0 when the end is not after the start', () => {
    expect(businessMsBetween(at('2026-01-16T17:00:00+09:00'), at('2026-01-19T10:30:00+09:00'), TOKYO)).toBe(2.5 * HOUR);
    expect(businessMsBetween(at('2026-01-17T00:00:00+09:00'), at('2026-01-18T23:00:00+09:00'), TOKYO)).toBe(0);
    expect(businessMsBetween(at('2026-01-19T10:00:00+09:00'), at('2026-01-19T10:00:00+09:00'), TOKYO)).toBe(0);
    expect(businessMsBetween(at('2026-01-19T11:00:00+09:00'), at('2026-01-19T10:00:00+09:00'), TOKYO)).toBe(0);
  });
});
