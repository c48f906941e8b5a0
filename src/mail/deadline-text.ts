// A deadline as people read it in an email: in the team's time zone when the policy has business
// hours (with UTC beside it), else in UTC.
import { isTimeZone } from '../domain/zoned-time';

export function deadlineText(at: number, timeZone?: string): string {
  const utc = new Date(at).toISOString();
  if (!timeZone || !isTimeZone(timeZone)) return utc;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${timeZone} (${utc})`;
}
