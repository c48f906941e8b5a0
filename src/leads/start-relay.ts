// The start relay: finds leads whose row was stored but whose workflow was never started (Temporal
// was down during an API call, an import was interrupted or ran with --no-wait) and starts them with
// the versions they were pinned to. Every worker process runs one; FOR UPDATE SKIP LOCKED keeps two
// relays off the same rows, and a start is idempotent anyway (the workflow ID is the lead's).
import { resolveLeadConfig } from '../catalog/store';
import { withTransaction } from '../db/transaction';
import type { LeadConfig } from '../domain/lead-state';
import type { IntakeDeps } from './deps';
import { startLeadWorkflow } from './enrol';
import { claimUnstartedLeads, type UnstartedLead } from './store';

export interface RelayOptions {
  /** Rows younger than this are left to the API call or import that stored them. Default 30 s. */
  graceMs?: number;
  /** Rows claimed per pass. Default 200. */
  batch?: number;
  /** Starts in flight at once. Default 16. */
  concurrency?: number;
}

/** One pass: claims up to `batch` unstarted leads and starts them. Returns how many were started. */
export async function startPendingLeads(deps: IntakeDeps, options: RelayOptions & { log?: (line: string) => void } = {}): Promise<number> {
  const { graceMs = 30_000, batch = 200, concurrency = 16, log = (line: string) => console.error(line) } = options;
  return withTransaction(deps.pool, async (client) => {
    const rows = await claimUnstartedLeads(client, graceMs, batch);
    const configs = new Map<string, Promise<LeadConfig>>();
    const configOf = (r: UnstartedLead) => {
      const key = JSON.stringify([r.campaign_id, r.campaign_version, r.scoring_model_id, r.scoring_model_version, r.shadow_model_id, r.shadow_model_version]);
      let config = configs.get(key);
      if (!config) {
        config = resolveLeadConfig(deps.pool, r.campaign_id, {
          campaignVersion: r.campaign_version,
          modelId: r.scoring_model_id,
          modelVersion: r.scoring_model_version,
          shadowModelId: r.shadow_model_id,
          shadowModelVersion: r.shadow_model_version,
        });
        configs.set(key, config);
      }
      return config;
    };
    let next = 0;
    let started = 0;
    // The rows stay locked by this transaction until the pass ends, so they are marked through it,
    // one statement at a time (a pg client runs one query at a time; lanes take turns).
    let turn: Promise<unknown> = Promise.resolve();
    const serial = {
      query: (text: string, values?: unknown[]) => {
        const result = turn.then(() => client.query(text, values));
        turn = result.catch(() => undefined);
        return result;
      },
    } as unknown as Pick<typeof client, 'query'>;
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        try {
          await startLeadWorkflow(deps, row.lead_id, await configOf(row), row.attributes ?? {}, { db: serial, enrolmentRecorded: row.enrolment_recorded });
          started++;
        } catch (err) {
          // One lead that cannot start must not undo the others' marks: it stays pending for the next pass.
          log(`[start-relay] lead ${row.lead_id}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, lane));
    return started;
  });
}

/** Runs passes every `intervalMs` until stopped; errors are logged and the next pass tries again. */
export function runStartRelay(deps: IntakeDeps, options: RelayOptions & { intervalMs?: number; log?: (line: string) => void } = {}): { stop(): Promise<void> } {
  const { intervalMs = 5_000, log = (line) => console.log(line) } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const pass = () => {
    running = startPendingLeads(deps, options)
      .then((n) => {
        if (n > 0) log(`[start-relay] started ${n} lead workflow(s) that were stored but not started`);
      })
      .catch((err: Error) => log(`[start-relay] pass failed, retrying in ${intervalMs / 1000} s: ${err.message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(pass, intervalMs);
      });
  };
  timer = setTimeout(pass, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
