// What the scenarios share: the running stack, the two worker processes, and helpers to enrol leads
// through the API and to wait on Temporal's visibility.
import { messageIdFor } from '../../activities/email';
import type { Stack } from '../stack';
import { inParallel } from '../stats';
import type { WorkerProcess } from '../worker-handle';

export interface Context {
  stack: Stack;
  product: WorkerProcess;
  baseline: WorkerProcess;
  /** Scenario 1's leads, used by scenario 2. */
  intakeLeads: string[];
  /** Scenario 1's baseline workflow ids, used by scenario 2. */
  baselineIds: string[];
  eventsPerLead: number;
  run: string;
}

export const welcomeId = (leadId: string, campaignId: string): string => messageIdFor(`nurture:${leadId}:${campaignId}:welcome:0`);
export const handoffId = (leadId: string): string => messageIdFor(`owner:${leadId}:0:1`);
export const escalationId = (leadId: string): string => messageIdFor(`sla:${leadId}:0:1`);

const WAIT_MS = 15 * 60_000;

/** Enrols `count` leads through POST /v1/leads; resolves with their ids once each one's welcome email arrived. */
export async function enrolThroughApi(ctx: Context, tag: string, count: number, campaignId: string, concurrency: number): Promise<{ leadIds: string[]; lastEmailAt: number; answeredAt: number }> {
  const leadIds: string[] = new Array(count);
  const emails: Promise<number>[] = [];
  await inParallel(count, concurrency, async (i) => {
    const { leadId } = await ctx.stack.api<{ leadId: string }>('POST', '/v1/leads', {
      email: `${tag}-${i}@customer-${i % 97}.bench.test`,
      name: `山田 太郎 ${i}`,
      company: `株式会社ベンチ ${i % 97}`,
      title: '部長',
      employees: 100 + i,
      campaignId,
    });
    leadIds[i] = leadId;
    emails.push(ctx.stack.sink.waitFor(welcomeId(leadId, campaignId), WAIT_MS));
  });
  const answeredAt = Date.now();
  const arrivals = await Promise.all(emails);
  return { leadIds, lastEmailAt: Math.max(...arrivals), answeredAt };
}

/** Posts events through the batch endpoint, `batchConcurrency` batches at a time; throws on any failed item. */
export async function postBatches(ctx: Context, events: { leadId: string; type: string; properties?: Record<string, string> }[]): Promise<void> {
  const { batchSize, batchConcurrency } = ctx.stack.settings;
  const batches = Math.ceil(events.length / batchSize);
  await inParallel(batches, batchConcurrency, async (b) => {
    const slice = events.slice(b * batchSize, (b + 1) * batchSize);
    const result = await ctx.stack.api<{ failed: number; results: { status: string; error?: { message: string } }[] }>('POST', '/v1/events', { events: slice });
    if (result.failed > 0) throw new Error(`batch ${b}: ${result.failed} events failed, e.g. ${result.results.find((r) => r.status === 'failed')?.error?.message}`);
  });
}

/** Polls a visibility count until it reaches `target`; resolves with the time it first did. */
export async function countReaches(ctx: Context, query: string, target: number, timeoutMs = WAIT_MS): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await ctx.stack.client.workflow.count(query);
    if (count >= target) return Date.now();
    if (Date.now() > deadline) throw new Error(`visibility count of ${query} stayed at ${count} < ${target} for ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
