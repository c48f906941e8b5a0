// `npm run bench` (full) or `npm run bench -- --quick` (under 3 minutes): the benchmark suite of
// issue 8. Starts its own PostgreSQL, Temporal dev server, SMTP sink, API and worker processes in a
// temp folder, runs the scenarios in bench/scenarios, and writes bench/results.md and results.json.
// Flags: see bench/settings.ts (--leads, --events, --reactions, --sla-leads, --open-leads,
// --max-cached, --max-concurrent-wft, --recycles, --year-events, --only intake,events,..., --out bench/results).
import { randomUUID } from 'node:crypto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createBenchCatalog } from './catalog';
import { describeEnvironment, writeResults, type ScenarioResult } from './report';
import { parseSettings, SCENARIOS } from './settings';
import { startStack, teardown } from './stack';
import { capacityScenario } from './scenarios/capacity';
import type { Context } from './scenarios/common';
import { eventsScenario } from './scenarios/events';
import { historyScenario } from './scenarios/history';
import { intakeScenario } from './scenarios/intake';
import { reactionScenario } from './scenarios/reaction';
import { slaScenario } from './scenarios/sla';

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  // Worker state changes would drown the progress lines (scenario 6 runs workers in this process).
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const began = Date.now();
  const log = (message: string) => console.log(`[bench +${((Date.now() - began) / 1000).toFixed(1)}s] ${message}`);
  const environment = describeEnvironment();
  log(`${settings.quick ? 'quick' : 'full'} run on ${environment.cores} cores, ${environment.memoryGiB} GiB, load ${environment.loadAverageAtStart.join('/')}`);

  const stack = await startStack(settings, log);
  await createBenchCatalog(stack);
  const [product, baseline] = await Promise.all([stack.startWorker('product'), stack.startWorker('baseline')]);
  log(`worker processes up (product pid ${product.pid}, baseline pid ${baseline.pid})`);

  const ctx: Context = {
    stack,
    product,
    baseline,
    intakeLeads: [],
    baselineIds: [],
    eventsPerLead: settings.events / settings.leads,
    run: randomUUID().slice(0, 8),
  };
  const wanted = (id: string) => !settings.only || settings.only.has(id) || (id === 'intake' && settings.only.has('events'));
  const scenarios: Record<(typeof SCENARIOS)[number], (c: Context) => Promise<ScenarioResult>> = {
    intake: intakeScenario,
    events: eventsScenario,
    reaction: reactionScenario,
    sla: slaScenario,
    capacity: capacityScenario,
    history: historyScenario,
  };
  const results: ScenarioResult[] = [];
  for (const id of SCENARIOS) {
    if (!wanted(id)) continue;
    log(`scenario ${id}...`);
    const result = await scenarios[id](ctx);
    results.push(result);
    for (const row of result.rows) log(`  ${row.metric}: ${row.product} vs. ${row.baseline} (ratio ${row.ratio}, goal ${row.goal}, met ${row.met})`);
  }
  // A CPU profile is written when a process exits by itself (teardown kills what is left).
  if (process.env.BENCH_CPU_PROF) await Promise.all([product.stop(), baseline.stop()]);
  const notes = [
    `Total run time ${((Date.now() - began) / 1000).toFixed(0)} s.`,
    ...(process.env.BENCH_NOTE ? [process.env.BENCH_NOTE] : []),
  ];
  const md = writeResults(settings.out, environment, settings, results, notes);
  console.log(`\n${md}`);
  log(`wrote ${settings.out}.md and ${settings.out}.json`);
}

main()
  .catch((err) => {
    console.error('[bench] failed:', err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await teardown();
    // Native connections and pools may keep handles open after teardown: the run is over.
    process.exit();
  });
