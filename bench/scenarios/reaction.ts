// 3. Reaction: one event takes a lead over the MQL threshold → the owner's email at the SMTP sink.
// One sample at a time, so the figure is the latency of an otherwise idle system. Baseline: a signal
// → the no-op workflow runs its no-op activity.
import { CAMPAIGNS } from '../catalog';
import { fmt, latencyRows, type ScenarioResult } from '../report';
import { BASELINE_QUEUE } from '../stack';
import { inParallel, latencies } from '../stats';
import { pingSignal, type baselineWorkflow } from '../baseline-workflow';
import { handoffId, sleep, type Context } from './common';
import { warmLeads } from './warm-leads';

const PAUSE_MS = 50;

export async function reactionScenario(ctx: Context): Promise<ScenarioResult> {
  const { reactions } = ctx.stack.settings;
  const started = Date.now();
  const leadIds = await warmLeads(ctx, `reaction-${ctx.run}`, reactions, CAMPAIGNS.reaction);
  await sleep(1000);

  const product: number[] = [];
  for (const leadId of leadIds) {
    const t0 = Date.now();
    await ctx.stack.api('POST', `/v1/leads/${leadId}/events`, { type: 'page_view', properties: { page: 'pricing' } });
    const at = await ctx.stack.sink.waitFor(handoffId(leadId), 60_000);
    product.push(at - t0);
    await sleep(PAUSE_MS);
  }

  const ids = Array.from({ length: reactions }, (_, i) => `baseline-reaction-${ctx.run}-${i}`);
  await inParallel(reactions, 20, async (i) => {
    await ctx.stack.client.workflow.start<typeof baselineWorkflow>('baselineWorkflow', { workflowId: ids[i]!, taskQueue: BASELINE_QUEUE, args: [{ key: ids[i]! }] });
  });
  await Promise.all(ids.map((id) => ctx.baseline.waitMark('start', id, 5 * 60_000)));
  await sleep(1000);
  const baseline: number[] = [];
  for (const id of ids) {
    const t0 = Date.now();
    await ctx.stack.client.workflow.getHandle(id).signal(pingSignal, { react: true });
    const mark = await ctx.baseline.waitMark('react', id, 60_000);
    baseline.push(mark.at - t0);
    await sleep(PAUSE_MS);
  }

  const p = latencies(product);
  const b = latencies(baseline);
  return {
    id: 'reaction',
    title: `3. Reaction: event crossing the MQL threshold → owner's email at the SMTP sink (${fmt(reactions)} samples, one at a time)`,
    rows: latencyRows(p, b, ['p50', 'p95', 'p99', 'max']),
    notes: [
      'Product: from sending POST /v1/leads/:id/events (pricing page view) to the handoff email\'s arrival at the SMTP sink. The workflow schedules the owner\'s email and the mql transition record in the same task (records run on a lane of their own), so one activity lies on this path.',
      'Baseline: from sending a signal to the start of the no-op activity it triggers.',
    ],
    data: { product: p, baseline: b, productSamples: product, baselineSamples: baseline },
    seconds: (Date.now() - started) / 1000,
  };
}
