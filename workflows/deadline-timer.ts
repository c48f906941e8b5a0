// One durable timer for "the next deadline". It survives signals untouched and is replaced only
// when the deadline itself moves, so a burst of events does not litter history with timers.
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';

/**
 * A timer's duration is computed at the start of a workflow task but the server starts the timer
 * when that task completes, so it fires as late as the task took: a handoff's task took 0.1–0.3 s
 * under a burst. Runs before revision 1 (workflows/revision.ts) therefore wake this long before a
 * precise deadline and wait the rest from a task that does nothing else. Revision 1 keeps one
 * timer: that second task per deadline doubled the work falling due at the deadlines of a burst,
 * which cost more than it saved (500 deadlines at once: p99 2.1 s with it, 1.4 s without, before
 * the breach's other work was cut down; docs/performance.md).
 */
export const PRECISE_LEAD_MS = 5_000;

export class DeadlineTimer {
  private at: number | null = null;

  /** `revision`: the run's (workflows/revision.ts). */
  constructor(private readonly revision = 0) {}

  /** The deadline being waited for (null when disarmed). */
  get armedAt(): number | null {
    return this.at;
  }
  private scope: CancellationScope | null = null;
  fired = false;

  /** Wait for `at` (epoch ms, workflow time); null disarms. `precise`: for deadlines people are held to. */
  arm(at: number | null, summary: string, precise = false): void {
    if (at === this.at && (this.scope || this.fired)) return;
    this.disarm();
    if (at === null) return;
    this.at = at;
    const scope = new CancellationScope();
    this.scope = scope;
    const wait = this.revision >= 1 ? () => sleep(Math.max(1, at - Date.now()), { summary }) : this.legacyWait(at, summary, precise);
    scope
      .run(wait)
      .then(
        () => {
          if (this.scope === scope) {
            this.fired = true;
            this.scope = null;
          }
        },
        (err) => {
          if (!isCancellation(err)) throw err;
        },
      );
  }

  /** Runs before revision 1: an early wake-up 5 s before a precise deadline, behind a patch (runs armed before it keep one timer). */
  private legacyWait(at: number, summary: string, precise: boolean): () => Promise<void> {
    const remaining = at - Date.now();
    const lead = Math.min(PRECISE_LEAD_MS, Math.floor(remaining / 2));
    const early = precise && lead >= 1000 && patched('precise-deadlines');
    return async () => {
      if (early) await sleep(remaining - lead, { summary: `Early wake-up, ${lead / 1000}s before: ${summary}` });
      await sleep(Math.max(1, at - Date.now()), { summary });
    };
  }

  /** Call after handling a fired deadline, so the next `arm` starts a fresh timer. */
  consume(): void {
    this.fired = false;
    this.at = null;
  }

  private disarm(): void {
    this.scope?.cancel();
    this.scope = null;
    this.at = null;
    this.fired = false;
  }
}
