import fc from 'fast-check';
import { DEFAULT_TIME_ZONE, leadTimeZone, nextSendTime, type SendWindow } from '../../src/domain/send-window';
import { instantOf, isTimeZone, WEEKDAYS } from '../../src/domain/zoned-time';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const WEEKDAYS_9_TO_18: SendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' };

describe('nextSendTime', () => {
  describe('Asia/Tokyo (the default zone, no DST)', () => {
    const tz = 'Asia/Tokyo';
    const send = (due: string) => iso(nextSendTime(at(due), WEEKDAYS_9_TO_18, tz));

    it('sends at once inside the window', () => {
      expect(send('2026-01-05T10:00:00+09:00')).toBe('2026-01-05T01:00:00.000Z'); // Monday 10:00
      expect(send('2026-01-09T17:59:59.999+09:00')).toBe('2026-01-09T08:59:59.999Z'); // Friday, last millisecond
    });

    it('treats "from" as inside and "to" as outside', () => {
      expect(send('2026-01-05T09:00:00+09:00')).toBe('2026-01-05T00:00:00.000Z');
      expect(send('2026-01-05T08:59:59.999+09:00')).toBe('2026-01-05T00:00:00.000Z');
      expect(send('2026-01-05T18:00:00+09:00')).toBe('2026-01-06T00:00:00.000Z'); // → Tuesday 09:00
    });

    it('waits over the weekend', () => {
      expect(send('2026-01-09T18:00:00+09:00')).toBe('2026-01-12T00:00:00.000Z'); // Friday evening → Monday 09:00
      expect(send('2026-01-10T12:00:00+09:00')).toBe('2026-01-12T00:00:00.000Z'); // Saturday
      expect(send('2026-01-11T23:59:00+09:00')).toBe('2026-01-12T00:00:00.000Z'); // Sunday night
      expect(send('2026-01-12T03:00:00+09:00')).toBe('2026-01-12T00:00:00.000Z'); // Monday before opening
    });

    it('reads the window in local time, not UTC (Monday 08:00 JST is Sunday 23:00 UTC)', () => {
      expect(send('2026-01-04T23:00:00Z')).toBe('2026-01-05T00:00:00.000Z');
    });

    it('supports a window to the end of the day ("24:00") and weekend-only windows', () => {
      const weekend: SendWindow = { days: ['sat', 'sun'], from: '00:00', to: '24:00' };
      expect(iso(nextSendTime(at('2026-01-09T23:00:00+09:00'), weekend, tz))).toBe('2026-01-09T15:00:00.000Z'); // Saturday 00:00 JST
      expect(iso(nextSendTime(at('2026-01-11T23:59:59+09:00'), weekend, tz))).toBe('2026-01-11T14:59:59.000Z');
    });

    it('without a window (or an unusable one) sends when due', () => {
      const due = at('2026-01-10T03:00:00Z');
      expect(nextSendTime(due, undefined, tz)).toBe(due);
      expect(nextSendTime(due, { days: [], from: '09:00', to: '18:00' }, tz)).toBe(due);
      expect(nextSendTime(due, { days: ['mon'], from: '18:00', to: '09:00' }, tz)).toBe(due);
    });
  });

  describe('America/New_York (DST)', () => {
    const tz = 'America/New_York';

    it('opens Monday 09:00 local after the spring-forward weekend (13:00Z, not 14:00Z)', () => {
      // 2026-03-08 02:00 EST → 03:00 EDT.
      expect(iso(nextSendTime(at('2026-03-06T17:00:00-05:00'), { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }, tz))).toBe('2026-03-09T13:00:00.000Z');
    });

    it('moves a window start inside the spring-forward gap forward by the gap', () => {
      const w: SendWindow = { days: ['sun'], from: '02:30', to: '04:00' };
      expect(iso(nextSendTime(at('2026-03-08T01:00:00-05:00'), w, tz))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    });

    it('skips a day whose window lies entirely in the gap', () => {
      const w: SendWindow = { days: ['sun'], from: '02:00', to: '02:59' };
      expect(iso(nextSendTime(at('2026-03-08T01:00:00-05:00'), w, tz))).toBe('2026-03-15T06:00:00.000Z'); // next Sunday 02:00 EDT
    });

    it('takes the first 01:30 on the fall-back night, and sends during the repeated hour', () => {
      // 2026-11-01 02:00 EDT → 01:00 EST: 01:00–02:00 happens twice.
      const w: SendWindow = { days: ['sun'], from: '01:30', to: '03:00' };
      expect(iso(nextSendTime(at('2026-11-01T00:00:00-04:00'), w, tz))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
      expect(iso(nextSendTime(at('2026-11-01T01:45:00-05:00'), w, tz))).toBe('2026-11-01T06:45:00.000Z'); // second 01:45 (EST): inside
    });

    it('opens Monday 09:00 EST after the fall-back weekend (14:00Z)', () => {
      expect(iso(nextSendTime(at('2026-10-30T18:00:00-04:00'), WEEKDAYS_9_TO_18, tz))).toBe('2026-11-02T14:00:00.000Z');
    });
  });

  describe('Europe/London (DST)', () => {
    const tz = 'Europe/London';

    it('opens Monday 09:00 BST after the spring-forward weekend', () => {
      // 2026-03-29 01:00 GMT → 02:00 BST.
      expect(iso(nextSendTime(at('2026-03-27T17:30:00Z'), { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:30' }, tz))).toBe('2026-03-30T08:00:00.000Z');
    });

    it('skips the spring-forward night when the window is inside the gap', () => {
      const w: SendWindow = { days: [...WEEKDAYS], from: '01:00', to: '01:30' };
      expect(iso(nextSendTime(at('2026-03-28T02:00:00Z'), w, tz))).toBe('2026-03-30T00:00:00.000Z'); // Monday 01:00 BST
    });

    it('opens 09:00 GMT after the autumn change', () => {
      // 2026-10-25 02:00 BST → 01:00 GMT.
      expect(iso(nextSendTime(at('2026-10-24T12:00:00Z'), WEEKDAYS_9_TO_18, tz))).toBe('2026-10-26T09:00:00.000Z');
    });
  });

  it('always answers an instant inside the window, no earlier than due, within 8 days; due itself when inside', () => {
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'UTC'];
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-01-01T00:00:00Z') }),
        fc.subarray([...WEEKDAYS], { minLength: 1 }),
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 60, max: 24 * 60 }),
        fc.constantFrom(...zones),
        (due, days, from, length, tz) => {
          const to = Math.min(from + length, 24 * 60);
          const window: SendWindow = { days, from: hhmm(from), to: to === 1440 ? '24:00' : hhmm(to) };
          const sent = nextSendTime(due, window, tz);
          expect(sent).toBeGreaterThanOrEqual(due);
          expect(sent - due).toBeLessThanOrEqual(8 * 86_400_000);
          // The result is inside the window: nextSendTime of it is itself.
          expect(nextSendTime(sent, window, tz)).toBe(sent);
          // Idempotent for instants between due and the answer: each maps to the same answer.
          if (sent > due) expect(nextSendTime(due + Math.floor((sent - due) / 2), window, tz)).toBe(sent);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('time zones', () => {
  it('resolves a lead zone, then the campaign zone, then Asia/Tokyo', () => {
    expect(leadTimeZone('Europe/London', { ...WEEKDAYS_9_TO_18, timezone: 'America/New_York' })).toBe('Europe/London');
    expect(leadTimeZone(undefined, { ...WEEKDAYS_9_TO_18, timezone: 'America/New_York' })).toBe('America/New_York');
    expect(leadTimeZone('Not/AZone', WEEKDAYS_9_TO_18)).toBe(DEFAULT_TIME_ZONE);
    expect(leadTimeZone(42, undefined)).toBe('Asia/Tokyo');
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Tokyo')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });

  it('maps a wall time in the gap forward and an ambiguous one to its first occurrence', () => {
    expect(iso(instantOf(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(instantOf(Date.UTC(2026, 10, 1, 1, 30), 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
    expect(iso(instantOf(Date.UTC(2026, 0, 5, 9, 0), 'Asia/Tokyo'))).toBe('2026-01-05T00:00:00.000Z');
  });
});
