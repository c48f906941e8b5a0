// Revision 3: the lead list (the score in PostgreSQL's lead row) follows the lead's score. Every
// transition records the score with it; a score that changed without one is written by a local
// activity in the same workflow task (no timer, no activity task, no extra task on the server),
// one at a time: a burst of events while one write is in flight costs one more write.
import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { LeadActivities } from '../activities';

// Not retried for long: the next change, or the next transition, writes the score anyway.
const local = proxyLocalActivities<LeadActivities>({ startToCloseTimeout: '10 seconds', retry: { initialInterval: '1s', maximumAttempts: 3 } });

export interface ScoreSource {
  readonly leadId: string;
  /** The lead's score now, and the seq of its newest transition. */
  current(): { score: number; transitionSeq: number };
}

export class ScoreRecord {
  private writing = false;

  /** `recorded`: the score the lead row holds, when known. */
  constructor(
    private readonly lead: ScoreSource,
    private recorded: number | null,
  ) {}

  get lastRecorded(): number | null {
    return this.recorded;
  }

  get idle(): boolean {
    return !this.writing;
  }

  /** The step recorded a transition, which writes the score too. */
  recordedAs(score: number): void {
    this.recorded = score;
  }

  /** After a step that recorded no transition. */
  changed(): void {
    const due = this.lead.current();
    if (this.writing || due.score === this.recorded) return;
    this.writing = true;
    void local.recordScore
      .executeWithOptions({ summary: `Record score ${due.score} for the lead list` }, [{ leadId: this.lead.leadId, ...due }])
      .then(
        () => this.recordedAs(due.score),
        (err: Error) => log.warn('score not recorded for the lead list', { error: err.message }),
      )
      .finally(() => {
        this.writing = false;
        this.changed();
      });
  }
}
