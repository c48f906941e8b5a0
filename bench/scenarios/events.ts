// 2. Events: behaviour events through the batch endpoint, spread evenly over scenario 1's leads,
// until each is reflected in its lead's score (the LeadScore search attribute: every bench_ping
// scores 1 and is never capped). Baseline: as many signals to scenario 1's no-op workflows, with as
// many in flight, until each workflow has counted all of its signals and completed.
import { CAMPAIGNS } from '../catalog';
import { fmt, ratio, type ScenarioResult } from '../report';
import { inParallel, perSecond } from '../stats';
import { pingSignal } from '../baseline-workflow';
import { CpuMeter, cpuNotes } from '../cpu';
import { countReaches, postBatches, type Context } from './common';

export async function eventsScenario(ctx: Context): Promise<ScenarioResult> {
  const { events, batchConcurrency } = ctx.stack.settings;
  const leads = ctx.intakeLeads;
  const perLead = ctx.eventsPerLead;
  const started = Date.now();
  // Round-robin over the leads, so every batch touches many workflows, as real traffic does.
  const productEvents = Array.from({ length: events }, (_, i) => ({ leadId: leads[i % leads.length]!, type: 'bench_ping' }));

  const cpu = new CpuMeter({ product: ctx.product.pid, baseline: ctx.baseline.pid });
  const t0 = Date.now();
  await postBatches(ctx, productEvents);
  const answered = Date.now();
  const doneAt = await countReaches(ctx, `CampaignId = '${CAMPAIGNS.nurture}' AND LeadScore >= ${perLead}`, leads.length);
  const productMs = doneAt - t0;
  const productCpu = cpu.lap();

  const inFlight = ctx.stack.settings.signalConcurrency;
  const ids = ctx.baselineIds;
  const b0 = Date.now();
  await inParallel(events, inFlight, async (i) => {
    await ctx.stack.client.workflow.getHandle(ids[i % ids.length]!).signal(pingSignal, {});
  });
  const baselineAnswered = Date.now();
  const baselineDone = await countReaches(ctx, `WorkflowType = 'baselineWorkflow' AND ExecutionStatus = 'Completed'`, ids.length);
  const baselineMs = baselineDone - b0;
  const baselineCpu = cpu.lap();

  const productRate = perSecond(events, productMs);
  const baselineRate = perSecond(events, baselineMs);
  return {
    id: 'events',
    title: `2. Events: ${fmt(events)} events through the batch endpoint over ${fmt(leads.length)} leads, until each is in its lead's score`,
    rows: [
      { metric: 'events/s vs. baseline signals/s', product: fmt(productRate, 1), baseline: fmt(baselineRate, 1), ratio: ratio(productRate, baselineRate), goal: '≥ 0.8', met: productRate / baselineRate >= 0.8 ? 'yes' : 'no' },
      { metric: 'time until every batch / signal was answered', product: `${fmt((answered - t0) / 1000, 1)} s`, baseline: `${fmt((baselineAnswered - b0) / 1000, 1)} s`, ratio: ratio(answered - t0, baselineAnswered - b0), goal: '–', met: '–' },
      { metric: 'time until every event is scored / counted', product: `${fmt(productMs / 1000, 1)} s`, baseline: `${fmt(baselineMs / 1000, 1)} s`, ratio: ratio(productMs, baselineMs), goal: '–', met: '–' },
    ],
    notes: [
      `${perLead} events per lead; batches of ${ctx.stack.settings.batchSize}, ${batchConcurrency} in flight; baseline ${inFlight} signals in flight. Completion is read from Temporal visibility (product: LeadScore, baseline: ExecutionStatus), polled every 100 ms.`,
      ...cpuNotes(productCpu, baselineCpu, events, { product: 'event', baseline: 'signal' }),
    ],
    data: { events, perLead, productMs, baselineMs, productRate, baselineRate, productAnsweredMs: answered - t0, baselineAnsweredMs: baselineAnswered - b0, cpu: { product: productCpu, baseline: baselineCpu } },
    seconds: (Date.now() - started) / 1000,
  };
}
