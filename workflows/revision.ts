// Which behaviour a lead run follows where a later change reordered the workflow's commands.
// New runs (the intake's starts, and every continue-as-new) carry the newest revision in their
// input, so a reordering needs neither a patch marker nor its search-attribute upsert in each new
// run; runs started before it carry none (revision 0) and replay as recorded. Older runs that are
// still open keep their behaviour until their next continue-as-new. No imports: the API process
// reads this too.

/**
 * 1: commands run on push lanes (workflows/command-lane.ts) instead of lanes waiting on conditions;
 *    a deadline has one timer (no early wake-up, workflows/deadline-timer.ts); an SLA escalation
 *    records its breach's transition itself; a recycled lead continues as new when its recycle
 *    period is over, not when it is recycled.
 * 2: a handoff's owner email that starts at once records the handoff's transition itself, before
 *    the email (one activity and one workflow task fewer per handoff).
 */
export const LEAD_RUN_REVISION = 2;
