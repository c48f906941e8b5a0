// Which revision (workflows/revision.ts) every open lead run is on, and the upgrade that moves the
// older ones onto the newest code: the procedure in docs/operations.md ("Retiring an old revision").
import type { Client } from '@temporalio/client';
import { LEAD_RUN_REVISION } from '../../workflows/revision';
import { askRunRevision, openLeadRuns, signalUpgrade } from './workflow-client';

const IN_FLIGHT = 16;
// A run whose worker does not answer (none polls its task queue) is counted, not waited for.
const QUERY_TIMEOUT_MS = 10_000;

export interface RunCensus {
  newest: number;
  /** Open runs per revision (a run that finished while counted is left out). */
  byRevision: Record<string, number>;
  /** Open runs below the newest revision. */
  older: number;
  /** With `upgrade`: the runs that were asked to upgrade. */
  signalled: number;
  /** Open runs whose revision could not be asked (no worker answered in time). */
  unanswered: number;
}

export async function censusOfRuns(client: Client, taskQueue: string, options: { upgrade?: boolean } = {}): Promise<RunCensus> {
  const census: RunCensus = { newest: LEAD_RUN_REVISION, byRevision: {}, older: 0, signalled: 0, unanswered: 0 };
  const pending = new Set<Promise<void>>();
  for await (const workflowId of openLeadRuns(client, taskQueue)) {
    const task = countOne(client, workflowId, census, options.upgrade === true).finally(() => pending.delete(task));
    pending.add(task);
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
  return census;
}

async function countOne(client: Client, workflowId: string, census: RunCensus, upgrade: boolean): Promise<void> {
  const revision = await askRunRevision(client, workflowId, QUERY_TIMEOUT_MS).catch(() => null);
  if (revision === null) {
    census.unanswered += 1;
    return;
  }
  census.byRevision[revision] = (census.byRevision[revision] ?? 0) + 1;
  if (revision >= LEAD_RUN_REVISION) return;
  census.older += 1;
  if (upgrade) {
    await signalUpgrade(client, workflowId);
    census.signalled += 1;
  }
}

export function formatCensus(census: RunCensus): string {
  const revisions = Object.entries(census.byRevision).sort(([a], [b]) => Number(a) - Number(b));
  const lines = revisions.length ? revisions.map(([revision, n]) => `  revision ${revision}: ${n} open run(s)`) : ['  no open lead runs'];
  const verdict = census.older === 0 ? 'every open run is on the newest revision' : `${census.older} open run(s) below the newest revision`;
  const unanswered = census.unanswered ? [`  ${census.unanswered} open run(s) did not answer (is a worker polling this task queue?)`] : [];
  return [`Newest revision: ${census.newest}`, ...lines, ...unanswered, census.signalled ? `Asked ${census.signalled} run(s) to upgrade; run again to see them move.` : verdict].join('\n');
}
