// 4. SLA precision: leads handed off with a short SLA and never contacted; how late each escalation
// email reaches the SMTP sink after the lead's SLA deadline (mqlAt + SLA). Baseline: no-op workflows
// sleeping as long, started in the same burst, and when their no-op activity ran after the deadline.
import { CAMPAIGNS } from '../catalog';
import { CpuMeter, cpuNotes, describeCpu } from '../cpu';
import { fmt, latencyRows, type ScenarioResult } from '../report';
import { BASELINE_QUEUE } from '../stack';
import { breachTimeline, type BreachTimeline } from '../sla-breakdown';
import { inParallel, latencies, percentile } from '../stats';
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery } from '../../workflows/messages';
import { pingSignal, type baselineWorkflow } from '../baseline-workflow';
import { escalationId, postBatches, sleep, type Context } from './common';
import { warmLeads } from './warm-leads';

export async function slaScenario(ctx: Context): Promise<ScenarioResult> {
  const { slaLeads, slaSeconds } = ctx.stack.settings;
  const slaMs = slaSeconds * 1000;
  const started = Date.now();
  const leadIds = await warmLeads(ctx, `sla-${ctx.run}`, slaLeads, CAMPAIGNS.sla);
  await sleep(1000);
  const cpu = new CpuMeter({ product: ctx.product.pid, baseline: ctx.baseline.pid });

  // Hand them all off in one burst: their deadlines fall within the same few seconds.
  await postBatches(ctx, leadIds.map((leadId) => ({ leadId, type: 'page_view', properties: { page: 'pricing' } })));
  const arrivals = await Promise.all(leadIds.map((id) => ctx.stack.sink.waitFor(escalationId(id), slaMs + 5 * 60_000)));
  const productCpu = cpu.lap();
  const product: number[] = [];
  const timelines: BreachTimeline[] = [];
  const mqlAts: number[] = [];
  await inParallel(leadIds.length, 20, async (i) => {
    // mqlAt survives the recycle (and its continue-as-new) that follows the escalation.
    const view = await ctx.stack.client.workflow.getHandle(workflowIdFor(leadIds[i]!)).query(getStateQuery);
    if (!view.mqlAt) throw new Error(`lead ${leadIds[i]} has no mqlAt after its SLA escalation`);
    mqlAts[i] = Date.parse(view.mqlAt);
    const deadline = mqlAts[i]! + slaMs;
    product[i] = arrivals[i]! - deadline;
    timelines[i] = await breachTimeline(ctx.stack.client, leadIds[i]!, deadline, arrivals[i]!);
  });
  const mqlSpread = Math.max(...mqlAts) - Math.min(...mqlAts);

  cpu.lap();
  const ids = Array.from({ length: slaLeads }, (_, i) => `baseline-sla-${ctx.run}-${i}`);
  await inParallel(slaLeads, 20, async (i) => {
    await ctx.stack.client.workflow.start<typeof baselineWorkflow>('baselineWorkflow', { workflowId: ids[i]!, taskQueue: BASELINE_QUEUE, args: [{ key: ids[i]!, timerMs: slaMs }] });
  });
  const marks = await Promise.all(ids.map((id) => ctx.baseline.waitMark('timer', id, slaMs + 5 * 60_000)));
  const baselineCpu = cpu.lap();
  const baseline = marks.map((m) => m.at - (m.deadline as number));

  // A second baseline in the product's shape: running no-op workflows whose timers a burst of
  // signals arms (as many in flight as the batch endpoint sends), so the platform meets the same
  // backlog of signalled workflow tasks that the handoffs make.
  const armed = Array.from({ length: slaLeads }, (_, i) => `baseline-sla-signal-${ctx.run}-${i}`);
  await inParallel(slaLeads, 20, async (i) => {
    await ctx.stack.client.workflow.start<typeof baselineWorkflow>('baselineWorkflow', { workflowId: armed[i]!, taskQueue: BASELINE_QUEUE, args: [{ key: armed[i]! }] });
  });
  await Promise.all(armed.map((id) => ctx.baseline.waitMark('start', id, 5 * 60_000)));
  await sleep(1000);
  cpu.lap();
  await inParallel(slaLeads, ctx.stack.settings.signalConcurrency, async (i) => {
    await ctx.stack.client.workflow.getHandle(armed[i]!).signal(pingSignal, { armTimerMs: slaMs });
  });
  const armedMarks = await Promise.all(armed.map((id) => ctx.baseline.waitMark('timer', id, slaMs + 5 * 60_000)));
  const armedCpu = cpu.lap();
  const signalled = latencies(armedMarks.map((m) => m.at - (m.deadline as number)));

  const p = latencies(product);
  const b = latencies(baseline);
  return {
    id: 'sla',
    title: `4. SLA precision: ${fmt(slaLeads)} leads handed off with SLA ${slaSeconds}s and left uncontacted; lateness of each escalation`,
    rows: [
      ...latencyRows(p, b, ['p50', 'p99', 'max'], 'lateness '),
      ...latencyRows(p, signalled, ['p50', 'p99'], 'lateness vs. signal-armed baseline ').map((r) => ({ ...r, goal: '–', met: '–' as const })),
    ],
    notes: [
      'Product: escalation email arrival at the SMTP sink minus the deadline (mqlAt + SLA, the workflow\'s own clock). The workflow sends it first among the breach\'s commands (before the recycle transition is recorded).',
      `Where the product's lateness goes (p50 / p99 over the leads, from each breached run's history): ${breakdown(timelines)}. Handoffs (mqlAt) spread over ${fmt(mqlSpread)} ms.`,
      'Baseline: no-op activity start minus (workflow time at start + timer). Cron-driven tools notice such a breach at their next run, i.e. minutes late.',
      `Signal-armed baseline: as many running no-op workflows, whose timers a burst of signals arms (${ctx.stack.settings.signalConcurrency} in flight, as the batch endpoint sends them); no-op activity start minus (workflow time of the task that saw the signal + timer). It meets the same backlog of signalled workflow tasks as the handoffs, with none of their work.`,
      ...cpuNotes(productCpu, baselineCpu, slaLeads, { product: 'lead (handoff and escalation)', baseline: 'workflow (start and timer)' }),
      `CPU, signal-armed baseline phase: ${describeCpu(armedCpu, { count: slaLeads, unit: 'workflow (signal and timer)' })}.`,
    ],
    data: { product: p, baseline: b, signalArmedBaseline: signalled, timelines },
    seconds: (Date.now() - started) / 1000,
  };
}

function breakdown(timelines: BreachTimeline[]): string {
  const parts: [keyof BreachTimeline, string, unit?: string][] = [
    ['timerLate', 'final timer fired after the deadline', ' ms'],
    ['taskWait', 'breach task waited for the worker', ' ms'],
    ['taskRun', 'breach task ran', ' ms'],
    ['activityWait', 'escalation activity waited', ' ms'],
    ['send', 'activity to email at the sink', ' ms'],
    ['tasksNearDeadline', 'workflow tasks per lead within 10 s of its deadline'],
    ['activitiesFromHandoff', 'activities per lead from the handoff on'],
    ['eventsFromHandoff', 'history events per lead from the handoff to the escalation\'s completion'],
  ];
  return parts
    .map(([key, label, unit = '']) => {
      const values = timelines.map((t) => t[key]);
      return `${label} ${fmt(percentile(values, 50))} / ${fmt(percentile(values, 99))}${unit}`;
    })
    .join('; ');
}
