// A deadline as people read it in an email: in the team's time zone when the policy has business
// hours (with UTC beside it), else in UTC.
import { isTimeZone, wallClock } from '../domain/zoned-time';

export function deadlineText(at: number, timeZone?: string): string {
  const utc = new Date(at).toISOString();
  if (!timeZone || !isTimeZone(timeZone)) return utc;
  const { wall, weekday } = wallClock(at, timeZone);
  const local = new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
  return `${weekday[0]!.toUpperCase()}${weekday.slice(1)} ${local} ${timeZone} (${utc})`;
}
