// One durable timer for "the next deadline". It survives signals untouched and is replaced only
// when the deadline itself moves, so a burst of events does not litter history with timers.
import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';

export class DeadlineTimer {
  private at: number | null = null;
  private scope: CancellationScope | null = null;
  fired = false;

  /** The deadline being waited for (null when disarmed). */
  get armedAt(): number | null {
    return this.at;
  }

  /** Wait for `at` (epoch ms, workflow time); null disarms. */
  arm(at: number | null, summary: string): void {
    if (at === this.at && (this.scope || this.fired)) return;
    this.disarm();
    if (at === null) return;
    this.at = at;
    const scope = new CancellationScope();
    this.scope = scope;
    scope
      .run(() => sleep(Math.max(1, at - Date.now()), { summary }))
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
