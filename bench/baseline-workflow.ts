// The Temporal baseline every figure is compared with: a workflow that does nothing but what the
// platform itself costs. It runs one no-op activity when it starts, counts signals, and (depending
// on its input) runs a no-op activity per "react" signal, completes after the expected number of
// signals, or waits on one timer (from its start, or from an `armTimerMs` signal). Bundled on its
// own (never part of the product's workflows/ bundle).
import { condition, defineQuery, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

export interface BaselineActivities {
  /** Does nothing but tell the bench harness when it ran (see bench/worker-process.ts). */
  noop(input: { key: string; kind: 'start' | 'react' | 'timer'; deadline?: number }): Promise<void>;
}

export interface BaselineInput {
  key: string;
  /** Complete once this many signals arrived (the signal-with-start one included). */
  expectedSignals?: number;
  /** Wait this long after the start activity, then run the no-op activity once (deadline precision). */
  timerMs?: number;
}

/** `armTimerMs`: wait this long from the task that sees the signal, then run the no-op activity once and complete. */
export const pingSignal = defineSignal<[{ react?: boolean; armTimerMs?: number }]>('ping');
export const countQuery = defineQuery<number>('count');

const { noop } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '1 minute' });

export async function baselineWorkflow(input: BaselineInput): Promise<number> {
  let count = 0;
  let reactions = 0;
  let armed: number | null = null;
  setHandler(pingSignal, (payload) => {
    count += 1;
    if (payload?.react) reactions += 1;
    if (payload?.armTimerMs !== undefined) armed = payload.armTimerMs;
  });
  setHandler(countQuery, () => count);
  await noop({ key: input.key, kind: 'start' });
  if (input.timerMs !== undefined) {
    const deadline = Date.now() + input.timerMs;
    await sleep(input.timerMs);
    await noop({ key: input.key, kind: 'timer', deadline });
    return count;
  }
  for (;;) {
    await condition(() => armed !== null || reactions > 0 || (input.expectedSignals !== undefined && count >= input.expectedSignals));
    if (armed !== null) {
      // Like a handoff: the deadline counts from the workflow time of the task that saw the signal.
      const deadline = Date.now() + armed;
      await sleep(armed);
      await noop({ key: input.key, kind: 'timer', deadline });
      return count;
    }
    if (reactions > 0) {
      reactions -= 1;
      await noop({ key: input.key, kind: 'react' });
      continue;
    }
    return count;
  }
}
