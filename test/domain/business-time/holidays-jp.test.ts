import * as fs from 'node:fs';
import { isOpenDay } from '../../../src/domain/business-time/calendar';
import { JP_HOLIDAY_DATES, JP_HOLIDAYS_FIRST_YEAR, JP_HOLIDAYS_LAST_YEAR } from '../../../src/domain/business-time/holidays-jp';
import { TOKYO } from './examples';

// The generator is plain CommonJS (no types): the test reads the installed package through it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../../scripts/generate-jp-holidays.cjs') as {
  TARGET: string;
  holidays: () => { version: string; list: [string, string][] };
  render: () => string;
};

const inYear = (year: number) => JP_HOLIDAY_DATES.filter((d) => d.startsWith(`${year}-`));

describe('Japanese public holidays (holidays-jp.ts)', () => {
  it('2026 is complete, with 振替休日 (05-06) and 国民の休日 (09-22), as in the Cabinet Office calendar', () => {
    expect(inYear(2026)).toEqual([
      '2026-01-01', '2026-01-12', '2026-02-11', '2026-02-23', '2026-03-20', '2026-04-29', '2026-05-03', '2026-05-04', '2026-05-05',
      '2026-05-06', '2026-07-20', '2026-08-11', '2026-09-21', '2026-09-22', '2026-09-23', '2026-10-12', '2026-11-03', '2026-11-23',
    ]);
  });

  it('2027 is complete, with 振替休日 for 春分の日 on a Sunday (03-22)', () => {
    expect(inYear(2027)).toEqual([
      '2027-01-01', '2027-01-11', '2027-02-11', '2027-02-23', '2027-03-21', '2027-03-22', '2027-04-29', '2027-05-03', '2027-05-04',
      '2027-05-05', '2027-07-19', '2027-08-11', '2027-09-20', '2027-09-23', '2027-10-11', '2027-11-03', '2027-11-23',
    ]);
  });

  it('is sorted, unique and covers the years it says', () => {
    expect([...JP_HOLIDAY_DATES].sort()).toEqual(JP_HOLIDAY_DATES);
    expect(new Set(JP_HOLIDAY_DATES).size).toBe(JP_HOLIDAY_DATES.length);
    expect(JP_HOLIDAY_DATES[0]!.startsWith(`${JP_HOLIDAYS_FIRST_YEAR}-`)).toBe(true);
    expect(JP_HOLIDAY_DATES.at(-1)!.startsWith(`${JP_HOLIDAYS_LAST_YEAR}-`)).toBe(true);
  });

  it('closes the holiday only with holidays "jp"', () => {
    expect(isOpenDay('2026-05-06', TOKYO)).toBe(false);
    expect(isOpenDay('2026-05-06', { ...TOKYO, holidays: 'none' })).toBe(true);
    expect(isOpenDay('2026-05-07', TOKYO)).toBe(true);
    expect(isOpenDay('2026-02-30', TOKYO)).toBe(false); // not a date
  });

  it('equals what the installed @holiday-jp/holiday_jp says (regenerate with scripts/generate-jp-holidays.cjs)', () => {
    expect(generator.holidays().list.map(([date]) => date)).toEqual(JP_HOLIDAY_DATES);
    expect(fs.readFileSync(generator.TARGET, 'utf8')).toBe(generator.render());
  });
});
