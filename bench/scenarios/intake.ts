// 1. Intake: leads enrolled through the API at concurrency 50, until each one's first email is at
// the SMTP sink. Baseline: signal-with-start of the no-op workflow, until its no-op activity ran.
import { CAMPAIGNS } from '../catalog';
import { fmt, ratio, type ScenarioResult } from '../report';
import { inParallel, perSecond } from '../stats';
import { BASELINE_QUEUE } from '../stack';
import { pingSignal, type baselineWorkflow } from '../baseline-workflow';
import { CpuMeter, cpuNotes } from '../cpu';
import { enrolThroughApi, type Context } from './common';

export async function intakeScenario(ctx: Context): Promise<ScenarioResult> {
  const { leads, concurrency } = ctx.stack.settings;
  const started = Date.now();

  const cpu = new CpuMeter({ product: ctx.product.pid, baseline: ctx.baseline.pid });
  const t0 = Date.now();
  const product = await enrolThroughApi(ctx, `intake-${ctx.run}`, leads, CAMPAIGNS.nurture, concurrency);
  const productCpu = cpu.lap();
  ctx.intakeLeads = product.leadIds;
  const productMs = product.lastEmailAt - t0;

  const b0 = Date.now();
  const ids = Array.from({ length: leads }, (_, i) => `baseline-intake-${ctx.run}-${i}`);
  await inParallel(leads, concurrency, async (i) => {
    await ctx.stack.client.workflow.signalWithStart<typeof baselineWorkflow, [{ react?: boolean }]>('baselineWorkflow', {
      workflowId: ids[i]!,
      taskQueue: BASELINE_QUEUE,
      args: [{ key: ids[i]!, expectedSignals: 1 + ctx.eventsPerLead }],
      signal: pingSignal,
      signalArgs: [{}],
    });
  });
  const baselineAnswered = Date.now();
  const marks = await Promise.all(ids.map((id) => ctx.baseline.waitMark('start', id, 15 * 60_000)));
  ctx.baselineIds = ids;
  const baselineMs = Math.max(...marks.map((m) => m.at)) - b0;
  const baselineCpu = cpu.lap();

  const productRate = perSecond(leads, productMs);
  const baselineRate = perSecond(leads, baselineMs);
  const r = productRate / baselineRate;
  return {
    id: 'intake',
    title: `1. Intake: ${fmt(leads)} leads through the API, until each first email is at the SMTP sink`,
    rows: [
      { metric: 'leads/s vs. baseline workflows/s', product: fmt(productRate, 1), baseline: fmt(baselineRate, 1), ratio: ratio(productRate, baselineRate), goal: '≥ 0.8', met: r >= 0.8 ? 'yes' : 'no' },
      { metric: 'time until the last first email / last no-op activity', product: `${fmt(productMs / 1000, 1)} s`, baseline: `${fmt(baselineMs / 1000, 1)} s`, ratio: ratio(productMs, baselineMs), goal: '–', met: '–' },
      { metric: 'time until every request was answered', product: `${fmt((product.answeredAt - t0) / 1000, 1)} s`, baseline: `${fmt((baselineAnswered - b0) / 1000, 1)} s`, ratio: ratio(product.answeredAt - t0, baselineAnswered - b0), goal: '–', met: '–' },
    ],
    notes: [
      `Product path per lead: HTTP POST /v1/leads (zod, catalog lookup, one PostgreSQL statement storing the lead and its enrolled transition) → signalWithStart with the first search attributes → workflow task → sendNurtureEmail activity (PostgreSQL claim + SMTP) → the outbox's started mark. Baseline: signalWithStart → workflow task → one no-op activity.`,
      ...cpuNotes(productCpu, baselineCpu, leads, { product: 'lead', baseline: 'workflow' }),
    ],
    data: { leads, concurrency, productMs, baselineMs, productRate, baselineRate, cpu: { product: productCpu, baseline: baselineCpu } },
    seconds: (Date.now() - started) / 1000,
  };
}
