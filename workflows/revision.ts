// Which behaviour a lead run follows where a change reordered the workflow's commands. New runs (the
// intake's starts, and every continue-as-new) carry the newest revision in their input; an open run
// keeps its own until it continues as new, or is upgraded (`leadloop runs --upgrade`, the procedure
// in docs/operations.md). No imports: the API process reads this too.

/**
 * 2: commands run on push lanes; a deadline has one timer; an SLA escalation records its breach's
 *    transition, and a handoff's owner email that starts at once records the handoff's (one
 *    activity fewer per handoff and per breach); a recycled lead continues as new when its recycle
 *    period is over.
 * 3: owners come from routing (the user directory, rules, round-robin in PostgreSQL) through the
 *    chooseOwner activity, at a handoff and at a reassignment, instead of a hash over the owners.
 */
export const LEAD_RUN_REVISION = 3;

/** Runs of older revisions were upgraded before their code was removed (docs/operations.md). */
export const OLDEST_LEAD_RUN_REVISION = 2;
