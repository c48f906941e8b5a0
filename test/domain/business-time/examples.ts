import type { BusinessHours } from '../../../src/domain/business-time/calendar';

export const at = (iso: string): number => Date.parse(iso);
export const iso = (ms: number): string => new Date(ms).toISOString();
export const HOUR = 3_600_000;

/** The typical Japanese sales team: weekdays 09:00–18:00 in Tokyo, public holidays closed. */
export const TOKYO: BusinessHours = {
  timeZone: 'Asia/Tokyo',
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '09:00',
  to: '18:00',
  holidays: 'jp',
  closed: [],
};

/** A US team: weekdays 09:00–17:00 in New York (DST), no holiday data. */
export const NEW_YORK: BusinessHours = { ...TOKYO, timeZone: 'America/New_York', to: '17:00', holidays: 'none' };
