// Revision 3: the lead list (the score in PostgreSQL's lead row) follows the lead's score. Every
// transition records the score with it; a score that changed without one is recorded a few
// seconds after the change, so a burst of events on one lead costs one write.
import { sleep } from '@temporalio/workflow';

/** How far the lead list may be behind the lead's own score (docs/api.md). */
export const SCORE_RECORD_DELAY_MS = 5_000;

export class ScoreRecord {
  private due = false;

  /** `recorded`: the score the lead row holds, when known; `record` queues the write. */
  constructor(
    private recorded: number | null,
    private readonly record: () => void,
  ) {}

  get lastRecorded(): number | null {
    return this.recorded;
  }

  /** After every step. */
  changed(score: number): void {
    if (this.due || score === this.recorded) return;
    this.due = true;
    void sleep(SCORE_RECORD_DELAY_MS, { summary: 'Record the score for the lead list' }).then(() => {
      this.due = false;
      this.record();
    });
  }

  recordedAs(score: number): void {
    this.recorded = score;
  }
}
