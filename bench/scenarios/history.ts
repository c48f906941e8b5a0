// 6. History growth: one lead through a simulated year on the time-skipping test server (recycled
// again and again: MQL → SLA missed → 30 days back with marketing → nurture), with behaviour events
// spread over the year. Each recycle continues the workflow as new, so no run's history keeps
// growing. Baseline: the no-op workflow receiving the same events as signals in one run.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { LeadConfig } from '../../src/domain/lead-state';
import { enrollLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import type { IntakeDeps } from '../../src/leads/deps';
import { createMailTransport } from '../../src/mail/transport';
import { resolveTemporalBinary } from '../../src/temporal/binaries';
import { workflowIdFor } from '../../src/temporal/client';
import { createLeadWorker } from '../../src/temporal/worker';
import { fmt, ratio, type ScenarioResult } from '../report';
import { inParallel } from '../stats';
import { pingSignal, type baselineWorkflow } from '../baseline-workflow';
import { sleep, type Context } from './common';

const LIMIT = 2000;

function yearConfig(run: string): LeadConfig {
  return {
    campaign: {
      id: `bench-year-${run}`,
      version: 1,
      name: 'Bench year',
      steps: [
        { id: 'welcome', delay: '0s', subject: 'Welcome {{name}}', body: 'Hello {{name}}' },
        { id: 'case-study', delay: '7d', subject: 'A case study', body: 'Hello {{name}}' },
        { id: 'pricing', delay: '14d', subject: 'Pricing', body: 'Hello {{name}}' },
      ],
    },
    policy: { sla: '24h', maxReassignments: 0, qualificationWindow: '14d', recyclePeriod: '30d', bantRequired: 3, owners: ['rep@sales.bench.test'], manager: 'manager@sales.bench.test' },
    model: {
      id: `bench-year-${run}`,
      version: 1,
      fit: [],
      behavior: [
        { id: 'ping', event: 'bench_ping', points: 1 },
        { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 15 },
      ],
      behaviorWindow: '90d',
      mql: { threshold: 15, requireAnyOf: ['pricing'] },
    },
  };
}

export async function historyScenario(ctx: Context): Promise<ScenarioResult> {
  const { recycles, yearEvents } = ctx.stack.settings;
  const started = Date.now();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: resolveTemporalBinary('test-server') } } });
  const taskQueue = `bench-year-${ctx.run}`;
  const productWorker = await createLeadWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: { codePath: ctx.stack.productBundle },
    pool: ctx.stack.pool,
    transport: createMailTransport(ctx.stack.sink.url),
    mailFrom: 'leadloop bench <noreply@leadloop.bench>',
  });
  const baselineWorker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: `${taskQueue}-baseline`,
    workflowBundle: { codePath: ctx.stack.baselineBundle },
    activities: { async noop() {} },
  });
  const runningProduct = productWorker.run();
  const runningBaseline = baselineWorker.run();
  try {
    // The test server knows no custom search attributes.
    const deps: IntakeDeps = { pool: ctx.stack.pool, client: env.client, taskQueue, searchAttributes: false };
    const config = yearConfig(ctx.run);
    const { leadId } = await enrollLead(deps, { email: `year-${ctx.run}@customer.bench.test`, name: '一年 太郎' }, config);
    const handle = env.client.workflow.getHandle(workflowIdFor(leadId));
    const firstRunId = (await handle.describe()).runId;
    const transition = async (reason: string, cycle: number) => {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const { rows } = await ctx.stack.pool.query('SELECT 1 FROM lead_transitions WHERE lead_id = $1 AND reason = $2 AND cycle = $3', [leadId, reason, cycle]);
        if (rows.length) return;
        if (Date.now() > deadline) throw new Error(`simulated year: no '${reason}' transition in cycle ${cycle} within 120 s`);
        await sleep(50);
      }
    };
    // Events happen in the server's (skipped) time, or a recycled lead would never count them.
    const occurredAt = async () => new Date(await env.currentTimeMs()).toISOString();
    const send = async (count: number) => {
      const at = await occurredAt();
      await inParallel(count, 4, async () => {
        await recordEvent(deps, leadId, { type: 'bench_ping', occurredAt: at });
      });
    };

    const perCycle = Math.floor(yearEvents / (recycles + 1));
    let sent = 0;
    for (let cycle = 0; cycle < recycles; cycle++) {
      // Nurture: events arrive, then the pricing view that makes the lead an MQL.
      await send(perCycle - 1);
      await recordEvent(deps, leadId, { type: 'page_view', properties: { page: 'pricing' }, occurredAt: await occurredAt() });
      sent += perCycle;
      await transition('mql', cycle);
      // Nobody calls: the SLA expires (escalation, recycle, continue-as-new), 30 days later back to nurture.
      await env.sleep('25h');
      await transition('sla_expired', cycle);
      await env.sleep('30d');
      await transition('recycle_period_over', cycle + 1);
    }
    await send(yearEvents - sent);

    // Follow the chain of runs through their continued-as-new events.
    const lengths: number[] = [];
    let runId: string | undefined = firstRunId;
    while (runId) {
      const history: Awaited<ReturnType<typeof handle.fetchHistory>> = await env.client.workflow.getHandle(workflowIdFor(leadId), runId).fetchHistory();
      const events = history.events ?? [];
      lengths.push(events.length);
      runId = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }

    const baselineId = `baseline-year-${ctx.run}`;
    const b = await env.client.workflow.start<typeof baselineWorkflow>('baselineWorkflow', {
      workflowId: baselineId,
      taskQueue: `${taskQueue}-baseline`,
      args: [{ key: baselineId, expectedSignals: yearEvents }],
    });
    await inParallel(yearEvents, 4, async () => {
      await b.signal(pingSignal, {});
    });
    await b.result();
    const baselineLength = (await b.fetchHistory()).events?.length ?? 0;

    const longest = Math.max(...lengths);
    const total = lengths.reduce((a, n) => a + n, 0);
    return {
      id: 'history',
      title: `6. History growth: one lead through a simulated year (${recycles} recycles, ${fmt(yearEvents)} events), time-skipping server`,
      rows: [
        { metric: 'longest history of any run (events)', product: fmt(longest), baseline: fmt(baselineLength), ratio: ratio(longest, baselineLength), goal: `< ${fmt(LIMIT)}`, met: longest < LIMIT ? 'yes' : 'no' },
        { metric: 'runs (continue-as-new chain)', product: fmt(lengths.length), baseline: '1', ratio: '–', goal: '–', met: '–' },
        { metric: 'history events over all runs', product: fmt(total), baseline: fmt(baselineLength), ratio: ratio(total, baselineLength), goal: '–', met: '–' },
      ],
      notes: [
        `Per-run history lengths: ${lengths.join(', ')}.`,
        'Baseline: the no-op workflow receiving the same number of signals in a single run (it never continues as new), for scale.',
      ],
      data: { lengths, longest, total, baselineLength },
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    productWorker.shutdown();
    baselineWorker.shutdown();
    await Promise.allSettled([runningProduct, runningBaseline]);
    await env.teardown();
  }
}
