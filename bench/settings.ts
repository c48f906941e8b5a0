// Command-line flags of `npm run bench`: sizes of each scenario, quick mode, worker settings.
import { DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS } from '../src/config';
import { BATCH_SIGNAL_CONCURRENCY } from '../src/leads/record-events';
export interface BenchSettings {
  quick: boolean;
  /** Scenario 1: leads enrolled through the API. */
  leads: number;
  /** Concurrency of enrolments (scenario 1, 5). */
  concurrency: number;
  /** Scenario 2: events through the batch endpoint (rounded down to a multiple of `leads`). */
  events: number;
  batchSize: number;
  /** Batches in flight at once; the endpoint itself works 8 items at a time. */
  batchConcurrency: number;
  /** Scenario 2's baseline: signals in flight (default: as many as the batch endpoint keeps in flight). */
  signalConcurrency: number;
  /** Temporal dev server persistence: in memory (fastest, the default) or a SQLite file (as `npm run dev`). */
  serverDb: 'memory' | 'file';
  /** Scenario 3: reaction samples, one at a time. */
  reactions: number;
  /** Scenario 4: leads handed off with a 10 s SLA. */
  slaLeads: number;
  slaSeconds: number;
  /** Scenario 5: open leads waiting in nurture. */
  openLeads: number;
  /** Worker cache size for every worker process (undefined: the product's default). */
  maxCachedWorkflows: number | undefined;
  /** Workflow tasks each worker process runs at once (default: the product's). */
  maxConcurrentWorkflowTasks: number;
  /** Scenario 6: the simulated year. */
  recycles: number;
  yearEvents: number;
  only: Set<string> | null;
  /** Where results.md / results.json go. */
  out: string;
}

const FULL = { leads: 2000, events: 20_000, reactions: 200, slaLeads: 500, openLeads: 20_000, recycles: 12, yearEvents: 500 };
// Quick mode must finish in under 3 minutes on a busy 2-core machine: smaller than the issue's suggestion.
const QUICK = { leads: 100, events: 800, reactions: 25, slaLeads: 40, openLeads: 200, recycles: 3, yearEvents: 60 };

export const SCENARIOS = ['intake', 'events', 'reaction', 'sla', 'capacity', 'history'] as const;

export function parseSettings(argv: string[]): BenchSettings {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (flags are --name value or --name=value)`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) flags.set(name, inline);
    else if (name === 'quick') flags.set(name, 'true');
    else flags.set(name, argv[++i] ?? '');
  }
  const quick = flags.get('quick') === 'true';
  const sizes = quick ? QUICK : FULL;
  const known = new Set(['quick', 'leads', 'concurrency', 'events', 'batch-size', 'batch-concurrency', 'reactions', 'sla-leads', 'sla-seconds', 'open-leads', 'max-cached', 'max-concurrent-wft', 'signal-concurrency', 'server-db', 'recycles', 'year-events', 'only', 'out']);
  for (const name of flags.keys()) if (!known.has(name)) throw new Error(`unknown flag --${name}; known: ${[...known].map((k) => `--${k}`).join(' ')}`);
  const int = (name: string, fallback: number, min = 1): number => {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
    return value;
  };
  const leads = int('leads', sizes.leads);
  const batchConcurrency = int('batch-concurrency', 2);
  const only = flags.get('only');
  if (only) for (const s of only.split(',')) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario '${s}'; one of ${SCENARIOS.join(', ')}`);
  return {
    quick,
    leads,
    concurrency: int('concurrency', 50),
    events: Math.max(leads, Math.floor(int('events', sizes.events) / leads) * leads),
    batchSize: Math.min(500, int('batch-size', 500)),
    batchConcurrency,
    signalConcurrency: int('signal-concurrency', batchConcurrency * BATCH_SIGNAL_CONCURRENCY),
    serverDb: serverDb(flags.get('server-db') ?? 'memory'),
    reactions: int('reactions', sizes.reactions),
    slaLeads: int('sla-leads', sizes.slaLeads),
    slaSeconds: int('sla-seconds', 10),
    openLeads: int('open-leads', sizes.openLeads),
    maxCachedWorkflows: flags.has('max-cached') ? int('max-cached', 0, 0) : undefined,
    maxConcurrentWorkflowTasks: int('max-concurrent-wft', DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS, 2),
    recycles: int('recycles', sizes.recycles),
    yearEvents: int('year-events', sizes.yearEvents),
    only: only ? new Set(only.split(',')) : null,
    out: flags.get('out') ?? 'bench/results',
  };
}

function serverDb(value: string): 'memory' | 'file' {
  if (value !== 'memory' && value !== 'file') throw new Error(`--server-db must be memory or file, got '${value}'`);
  return value;
}
