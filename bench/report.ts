// results.md (a table per scenario, machine, versions and settings) and results.json.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT, resolveTemporalBinary } from '../src/temporal/binaries';
import type { BenchSettings } from './settings';
import type { Latencies } from './stats';

export interface Row {
  metric: string;
  product: string;
  baseline: string;
  ratio: string;
  goal: string;
  met: 'yes' | 'no' | '–';
}

export interface ScenarioResult {
  id: string;
  title: string;
  rows: Row[];
  notes: string[];
  data: Record<string, unknown>;
  seconds: number;
}

export interface Environment {
  date: string;
  machine: string;
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  loadAverageAtStart: number[];
  /** A fixed single-threaded loop, median of 3 (ms): shared hosts run the same VM at different speeds on different days. */
  speedCheckMs: number;
  node: string;
  temporalSdk: string;
  temporalCli: string;
}

export function describeEnvironment(): Environment {
  const sdk = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', '@temporalio', 'worker', 'package.json'), 'utf8')) as { version: string };
  let cli = 'unknown';
  try {
    cli = execFileSync(resolveTemporalBinary('cli'), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  return {
    date: new Date().toISOString(),
    machine: `${platform()} ${release()}`,
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    speedCheckMs: speedCheck(),
    node: process.version,
    temporalSdk: sdk.version,
    temporalCli: cli,
  };
}

/** Keeps the speed check's loop from being optimised away. */
let speedCheckSink = 0;

/** Milliseconds for 10^8 iterations of integer arithmetic (median of 3), to compare runs across days. */
function speedCheck(): number {
  const times: number[] = [];
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    let x = 0;
    for (let i = 0; i < 1e8; i++) x = (x + (i % 7)) | 0;
    speedCheckSink ^= x;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return Math.round(times.sort((a, b) => a - b)[1]!);
}

export const fmt = (value: number, digits = 0): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
export const ms = (value: number): string => `${fmt(value)} ms`;
export const mib = (bytes: number): string => `${fmt(bytes / 2 ** 20, 1)} MiB`;
export const ratio = (product: number, baseline: number): string => (baseline > 0 && Number.isFinite(product) ? fmt(product / baseline, 2) : 'n/a');

/** Latency rows, product next to baseline; the p99 row carries the goal "product p99 < 1,000 ms". */
export function latencyRows(product: Latencies, baseline: Latencies, stats: ('p50' | 'p95' | 'p99' | 'max')[], prefix = ''): Row[] {
  return stats.map((stat) => ({
    metric: `${prefix}${stat}`,
    product: ms(product[stat]),
    baseline: ms(baseline[stat]),
    ratio: ratio(product[stat], baseline[stat]),
    goal: stat === 'p99' ? 'product p99 < 1,000 ms' : '–',
    met: stat === 'p99' ? (product.p99 < 1000 ? 'yes' : 'no') : '–',
  }));
}

export function writeResults(out: string, env: Environment, settings: BenchSettings, results: ScenarioResult[], notes: string[]): string {
  const lines: string[] = [];
  lines.push(`# leadloop benchmark results (${settings.quick ? 'quick' : 'full'} run)`, '');
  lines.push(`Run ${env.date} with \`npm run bench${settings.quick ? ' -- --quick' : ''}\`. Every product figure stands next to a Temporal baseline measured in the same run on the same dev server: a no-op workflow that receives the same signals and runs one no-op activity (bench/baseline-workflow.ts). Ratios are what counts; absolute figures are context.`, '');
  for (const note of notes) lines.push(`> ${note}`, '');
  lines.push('## Machine and versions', '');
  lines.push('| | |', '|---|---|');
  lines.push(`| machine | ${env.machine}, ${env.cores} cores (${env.cpuModel}), ${env.memoryGiB} GiB memory |`);
  lines.push(`| load average at start | ${env.loadAverageAtStart.join(' / ')} |`);
  lines.push(`| speed check (a fixed loop of 10^8 steps, median of 3; lower is faster) | ${fmt(env.speedCheckMs)} ms |`);
  lines.push(`| Node.js | ${env.node} |`);
  lines.push(`| Temporal TypeScript SDK | ${env.temporalSdk} |`);
  lines.push(`| Temporal CLI (dev server) | ${env.temporalCli.replace(/\n/g, ' ')} (${settings.serverDb === 'memory' ? 'in memory' : 'SQLite file, WAL'}) |`);
  lines.push('');
  lines.push('## Settings', '');
  lines.push('| setting | value |', '|---|---|');
  lines.push(`| leads (1) / concurrency | ${settings.leads} / ${settings.concurrency} |`);
  lines.push(`| events (2) / batch size / batches in flight / baseline signals in flight | ${settings.events} / ${settings.batchSize} / ${settings.batchConcurrency} / ${settings.signalConcurrency} |`);
  lines.push(`| reaction samples (3) | ${settings.reactions} |`);
  lines.push(`| SLA leads (4) / SLA | ${settings.slaLeads} / ${settings.slaSeconds}s |`);
  lines.push(`| open leads (5) | ${settings.openLeads} |`);
  lines.push(`| maxCachedWorkflows | ${settings.maxCachedWorkflows ?? 'not set: product worker src/temporal/worker.ts default, baseline worker SDK default'} |`);
  lines.push(`| workflow tasks at once, each worker (maxConcurrentWorkflowTaskExecutions) | ${settings.maxConcurrentWorkflowTasks} |`);
  lines.push(`| simulated year (6) | ${settings.recycles} recycles, ${settings.yearEvents} events |`);
  lines.push('');
  for (const r of results) {
    lines.push(`## ${r.title}`, '');
    lines.push('| metric | product | baseline | ratio | goal | met? |', '|---|---:|---:|---:|---|---|');
    for (const row of r.rows) lines.push(`| ${row.metric} | ${row.product} | ${row.baseline} | ${row.ratio} | ${row.goal} | ${row.met} |`);
    lines.push('');
    for (const note of r.notes) lines.push(`- ${note}`);
    lines.push(`- scenario time: ${fmt(r.seconds, 1)} s`, '');
  }
  const md = lines.join('\n');
  writeFileSync(resolve(PROJECT_ROOT, `${out}.md`), md);
  writeFileSync(resolve(PROJECT_ROOT, `${out}.json`), JSON.stringify({ environment: env, settings: { ...settings, only: settings.only ? [...settings.only] : null }, notes, results }, null, 2));
  return md;
}
