// The running activity's context, for the email activities: whether this attempt is the last, and
// heartbeats that let Temporal notice a dead worker within seconds (workflows/lead.ts sets the
// heartbeat timeout), rather than after the whole start-to-close timeout.
import { Context } from '@temporalio/activity';

/** Often enough for workflows/lead.ts's 10 s heartbeat timeout (the SDK throttles the rest). */
export const HEARTBEAT_EVERY_MS = 2_000;

/** The running activity's context, or null when called directly (tests, scripts). */
export function currentActivity(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

/** Whether Temporal will not retry this attempt: its failure is then the email's final outcome. */
export function isFinalAttempt(): boolean {
  const info = currentActivity()?.info;
  const max = info?.retryPolicy?.maximumAttempts;
  return !!info && !!max && info.attempt >= max;
}

/**
 * Runs `work`, heartbeating while it runs (a wait for the row lock, the SMTP conversation): a worker
 * that dies stops heartbeating and its attempt is retried elsewhere within the heartbeat timeout.
 */
export async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = currentActivity();
  if (!context) return work();
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
