// The webhook relay: every worker process wakes, now and then, the delivery workflow of leads whose
// pending deliveries nobody has tried for a while (a wake lost after the rows were committed: an
// erasure or a manual retry that answered 503). Waking is idempotent, so two relays may overlap.
import type { IntakeDeps } from '../leads/deps';
import type { WebhookSettings } from './settings';
import { stalledLeads } from './store';
import { wakeWebhookDelivery } from './workflow-client';

const BATCH = 200;

/** Longer than any wait between two attempts, so a delivery being retried never counts as stalled. */
export const stalledAfterMs = (s: WebhookSettings): number => s.retryMaxIntervalMs + s.attemptTimeoutMs + 300_000;

/** One pass: the number of delivery workflows woken. */
export async function wakeStalledDeliveries(deps: Pick<IntakeDeps, 'pool' | 'client' | 'taskQueue'>, graceMs: number): Promise<number> {
  const leads = await stalledLeads(deps.pool, graceMs, BATCH);
  for (const leadId of leads) await wakeWebhookDelivery(deps.client, deps.taskQueue, leadId);
  return leads.length;
}

/** Passes every `intervalMs` until stopped; a failed pass is logged and the next one tries again. */
export function runWebhookRelay(deps: Pick<IntakeDeps, 'pool' | 'client' | 'taskQueue'>, settings: WebhookSettings, options: { intervalMs?: number; log?: (line: string) => void } = {}): { stop(): Promise<void> } {
  const { intervalMs = 60_000, log = (line) => console.log(line) } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = wakeStalledDeliveries(deps, stalledAfterMs(settings))
      .then((n) => {
        if (n > 0) log(`[webhook-relay] woke the webhook deliveries of ${n} lead(s)`);
      })
      .catch((err: Error) => log(`[webhook-relay] pass failed, retrying in ${intervalMs / 1000} s: ${err.message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(pass, intervalMs);
      });
  };
  timer = setTimeout(pass, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
