// Every Temporal call on a lead's workflow: start, signals, sales updates, the state query, the
// deletion of its runs, and the upgrade of open runs to the newest revision. The workflow's public surface is defined in workflows/messages.ts.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { LeadConfig } from '../domain/lead-state';
import { enrolledTransition } from '../domain/lifecycle';
import type { AcceptAction, ContactAction, EngagementEvent, LeadAttributes, RejectAction } from '../domain/types';
import type { LeadView } from '../domain/view';
import { workflowIdFor } from '../temporal/client';
import {
  acceptUpdate,
  attributesSignal,
  clearBounceSignal,
  contactUpdate,
  engagementSignal,
  getStateQuery,
  migrateToSignal,
  rejectUpdate,
  runRevisionQuery,
  unsubscribeSignal,
  upgradeSignal,
  type CatalogVersions,
  type SignalledBy,
} from '../../workflows/messages';
import type { leadWorkflow } from '../../workflows/lead';
import { LEAD_RUN_REVISION } from '../../workflows/revision';
import { CampaignId, LeadScore, LeadStage, ScoringModel, scoringModelValue } from '../../workflows/search-attributes';
import type { IntakeDeps } from './deps';

export { workflowIdFor };

/**
 * Starts the lead's workflow, or signals new attributes to the running one (signalWithStart).
 * Idempotent: the workflow ID is derived from the lead id. Returns false when a run had already
 * started (ALLOW_DUPLICATE_FAILED_ONLY refused a new one).
 */
export async function startOrSignalAttributes(
  deps: Pick<IntakeDeps, 'client' | 'taskQueue' | 'searchAttributes'>,
  leadId: string,
  config: LeadConfig,
  attributes: LeadAttributes,
  /** The lead's 'enrolled' transition was stored with its row: the workflow does not record it again. */
  enrolmentRecorded: boolean,
): Promise<boolean> {
  try {
    await deps.client.workflow.signalWithStart<typeof leadWorkflow, [LeadAttributes]>('leadWorkflow', {
      workflowId: workflowIdFor(leadId),
      taskQueue: deps.taskQueue,
      args: [{ leadId, config, attributes, searchAttributes: deps.searchAttributes, revision: LEAD_RUN_REVISION, ...(enrolmentRecorded ? { enrolmentRecorded: true } : {}) }],
      signal: attributesSignal,
      signalArgs: [attributes],
      // A lead that reached SQL or was disqualified is not silently restarted by a repeat enrolment.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      // A new lead starts with its first search attributes, so its first task upserts none.
      ...(deps.searchAttributes && enrolmentRecorded ? { typedSearchAttributes: initialSearchAttributes(leadId, config, attributes) } : {}),
      staticSummary: `Lead ${leadId} · campaign ${config.campaign.id} v${config.campaign.version} · model ${config.model.id} v${config.model.version}${config.shadowModel ? ` · shadow ${config.shadowModel.id} v${config.shadowModel.version}` : ''}`,
    });
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return false;
  }
}

/** What a lead's search attributes are once enrolled (the workflow upserts any later change). */
function initialSearchAttributes(leadId: string, config: LeadConfig, attributes: LeadAttributes): SearchAttributePair[] {
  const enrolled = enrolledTransition(leadId, attributes, Date.now(), config);
  return [
    { key: CampaignId, value: config.campaign.id },
    { key: ScoringModel, value: scoringModelValue(config.model) },
    { key: LeadStage, value: enrolled.to },
    { key: LeadScore, value: enrolled.score },
  ];
}

type LeadHandle = ReturnType<Client['workflow']['getHandle']>;
const handleOf = (client: Client, leadId: string): LeadHandle => client.workflow.getHandle(workflowIdFor(leadId));

/** Sends to the lead's workflow; false when it has completed (SQL, disqualified: its log is in PostgreSQL only). */
async function ifRunning(client: Client, leadId: string, send: (handle: LeadHandle) => Promise<void>): Promise<boolean> {
  try {
    await send(handleOf(client, leadId));
    return true;
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return false;
  }
}

/** A stored behaviour event; the workflow ignores an eventId it has seen. A completed workflow is left alone. */
export const signalEngagement = (client: Client, leadId: string, event: EngagementEvent): Promise<boolean> =>
  ifRunning(client, leadId, (h) => h.signal(engagementSignal, event));

/** Events for a run that has just started (it must be there: a missing one is an error). */
export async function signalEngagements(client: Client, leadId: string, events: readonly EngagementEvent[]): Promise<void> {
  const handle = handleOf(client, leadId);
  for (const event of events) await handle.signal(engagementSignal, event);
}

export const signalUnsubscribe = (client: Client, leadId: string, by: SignalledBy = {}): Promise<boolean> => ifRunning(client, leadId, (h) => h.signal(unsubscribeSignal, by));

export const signalClearBounce = (client: Client, leadId: string, by: SignalledBy = {}): Promise<boolean> => ifRunning(client, leadId, (h) => h.signal(clearBounceSignal, by));

/** False when the lead's workflow has ended (nothing to migrate). */
export const signalMigrateTo = (client: Client, leadId: string, versions: CatalogVersions, by: SignalledBy = {}): Promise<boolean> =>
  ifRunning(client, leadId, (h) => h.signal(migrateToSignal, versions, by));

/** The sales actions, as the workflow's updates; each answers the lead's view after it was applied. */
export const salesUpdates = {
  contact: (client: Client, leadId: string, action: ContactAction): Promise<LeadView> => handleOf(client, leadId).executeUpdate(contactUpdate, { args: [action] }),
  accept: (client: Client, leadId: string, action: AcceptAction): Promise<LeadView> => handleOf(client, leadId).executeUpdate(acceptUpdate, { args: [action] }),
  reject: (client: Client, leadId: string, action: RejectAction): Promise<LeadView> => handleOf(client, leadId).executeUpdate(rejectUpdate, { args: [action] }),
};

/** What the lead's workflow says of itself, when it can be asked. */
export interface LiveLead {
  view: LeadView | null;
  runId: string | null;
  status: string | null;
  /** Why Temporal could not be asked (slow, unreachable); null when it answered or knows no such workflow. */
  unreachable: string | null;
}

/** Describes the current run and queries its state within `deadlineMs`; never throws. */
export async function askLeadWorkflow(client: Client, leadId: string, deadlineMs: number): Promise<LiveLead> {
  const handle = handleOf(client, leadId);
  try {
    return await client.withDeadline(Date.now() + deadlineMs, async () => {
      const description = await handle.describe();
      const view = await handle.query(getStateQuery).catch(() => null);
      return { view, runId: description.runId, status: description.status.name, unreachable: null };
    });
  } catch (err) {
    return { view: null, runId: null, status: null, unreachable: err instanceof WorkflowNotFoundError ? null : (err as Error).message };
  }
}

const GRPC_NOT_FOUND = 5;
const isNotFound = (err: unknown): boolean =>
  err instanceof WorkflowNotFoundError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === GRPC_NOT_FOUND);

/**
 * Deletes every run of `workflowId` from Temporal, continued-as-new ones included. A running run is
 * deleted directly: the server terminates it and deletes it in one step (immediately), whereas a
 * run terminated first is deleted only after the server's transfer queue acknowledges its close
 * (`history.transferProcessorUpdateAckInterval`, 30 s by default). Closed runs are deleted in the
 * background by the server, within that interval.
 */
export async function eraseWorkflowRuns(client: Client, workflowId: string): Promise<void> {
  const namespace = client.options.namespace;
  const remove = async (runId?: string) => {
    try {
      await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId, ...(runId ? { runId } : {}) } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };
  const deleted = new Set<string>();
  // A run may continue as new while we delete it: go again until no new run appears.
  for (let round = 0; round < 5; round++) {
    let current: { runId: string } | null = null;
    try {
      const d = await client.workflow.getHandle(workflowId).describe();
      current = { runId: d.runId };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!current || deleted.has(current.runId)) break;
    await remove(current.runId);
    deleted.add(current.runId);
  }
  for await (const run of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` })) {
    if (!deleted.has(run.runId)) {
      await remove(run.runId);
      deleted.add(run.runId);
    }
  }
}

/** eraseWorkflowRuns for a lead. */
export const eraseLeadRuns = (client: Client, leadId: string): Promise<void> => eraseWorkflowRuns(client, workflowIdFor(leadId));

/** The workflow ids of the open lead runs on `taskQueue`. */
export async function* openLeadRuns(client: Client, taskQueue: string): AsyncGenerator<string> {
  const query = `WorkflowType = 'leadWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/'/g, "''")}'`;
  for await (const run of client.workflow.list({ query })) yield run.workflowId;
}

/** The run's revision (workflows/revision.ts); rejects when no worker answers within `deadlineMs`. */
export const askRunRevision = (client: Client, workflowId: string, deadlineMs: number): Promise<number> =>
  client.withDeadline(Date.now() + deadlineMs, () => client.workflow.getHandle(workflowId).query(runRevisionQuery));

/** Asks a run below the newest revision to continue as new on it (runs on the newest ignore it). */
export const signalUpgrade = (client: Client, workflowId: string): Promise<void> => client.workflow.getHandle(workflowId).signal(upgradeSignal);

/**
 * The LeadScore each lead's workflow last published (Temporal visibility), for one page of the lead
 * list; its newest run wins. Leads Temporal does not answer for in time are left out.
 */
export async function publishedScores(client: Client, leadIds: readonly string[], deadlineMs: number): Promise<Map<string, number>> {
  const newest = new Map<string, { score: number; start: number }>();
  if (leadIds.length === 0) return new Map();
  // The ids come from lead rows (UUIDs), never from the request.
  const query = `WorkflowId IN (${leadIds.map((id) => `'${workflowIdFor(id)}'`).join(', ')})`;
  await client.withDeadline(Date.now() + deadlineMs, async () => {
    for await (const run of client.workflow.list({ query })) {
      const score = run.typedSearchAttributes.get(LeadScore);
      const leadId = run.workflowId.slice(workflowIdFor('').length);
      const start = run.startTime.getTime();
      if (score !== undefined && (newest.get(leadId)?.start ?? -1) < start) newest.set(leadId, { score, start });
    }
  });
  return new Map([...newest].map(([leadId, { score }]) => [leadId, score]));
}
