// 4. SLA precision: leads handed off with a short SLA and never contacted; how late each escalation
// email reaches the SMTP sink after the lead's SLA deadline (mqlAt + SLA). Baseline: no-op workflows
// sleeping as long, started in the same burst, and when their no-op activity ran after the deadline.
import { CAMPAIGNS } from '../catalog';
import { fmt, latencyRows, type ScenarioResult } from '../report';
import { BASELINE_QUEUE } from '../stack';
import { inParallel, latencies } from '../stats';
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery } from '../../workflows/messages';
import type { baselineWorkflow } from '../baseline-workflow';
import { escalationId, postBatches, sleep, type Context } from './common';
import { warmLeads } from './warm-leads';

export async function slaScenario(ctx: Context): Promise<ScenarioResult> {
  const { slaLeads, slaSeconds } = ctx.stack.settings;
  const slaMs = slaSeconds * 1000;
  const started = Date.now();
  const leadIds = await warmLeads(ctx, `sla-${ctx.run}`, slaLeads, CAMPAIGNS.sla);
  await sleep(1000);

  // Hand them all off in one burst: their deadlines fall within the same few seconds.
  await postBatches(ctx, leadIds.map((leadId) => ({ leadId, type: 'page_view', properties: { page: 'pricing' } })));
  const arrivals = await Promise.all(leadIds.map((id) => ctx.stack.sink.waitFor(escalationId(id), slaMs + 5 * 60_000)));
  const product: number[] = [];
  await inParallel(leadIds.length, 20, async (i) => {
    // mqlAt survives the recycle (and its continue-as-new) that follows the escalation.
    const view = await ctx.stack.client.workflow.getHandle(workflowIdFor(leadIds[i]!)).query(getStateQuery);
    if (!view.mqlAt) throw new Error(`lead ${leadIds[i]} has no mqlAt after its SLA escalation`);
    product[i] = arrivals[i]! - (Date.parse(view.mqlAt) + slaMs);
  });

  const ids = Array.from({ length: slaLeads }, (_, i) => `baseline-sla-${ctx.run}-${i}`);
  await inParallel(slaLeads, 20, async (i) => {
    await ctx.stack.client.workflow.start<typeof baselineWorkflow>('baselineWorkflow', { workflowId: ids[i]!, taskQueue: BASELINE_QUEUE, args: [{ key: ids[i]!, timerMs: slaMs }] });
  });
  const marks = await Promise.all(ids.map((id) => ctx.baseline.waitMark('timer', id, slaMs + 5 * 60_000)));
  const baseline = marks.map((m) => m.at - (m.deadline as number));

  const p = latencies(product);
  const b = latencies(baseline);
  return {
    id: 'sla',
    title: `4. SLA precision: ${fmt(slaLeads)} leads handed off with SLA ${slaSeconds}s and left uncontacted; lateness of each escalation`,
    rows: latencyRows(p, b, ['p50', 'p99', 'max'], 'lateness '),
    notes: [
      'Product: escalation email arrival at the SMTP sink minus the deadline (mqlAt + SLA, the workflow\'s own clock). The workflow sends it first among the breach\'s commands (before the recycle transition is recorded).',
      'Baseline: no-op activity start minus (workflow time at start + timer). Cron-driven tools notice such a breach at their next run, i.e. minutes late.',
    ],
    data: { product: p, baseline: b },
    seconds: (Date.now() - started) / 1000,
  };
}
