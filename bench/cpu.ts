// CPU seconds spent by each part of the bench stack, read from /proc (Linux only; elsewhere the
// figures are simply absent). On a small machine the scenarios are CPU-bound, so "which process
// burnt the time" says where an improvement can come from; wall-clock ratios alone do not.
import { readdirSync, readFileSync } from 'node:fs';

export type CpuPart = 'temporal server' | 'postgres' | 'product worker' | 'baseline worker' | 'bench process (API, SMTP sink, client)';
export type CpuTimes = Partial<Record<CpuPart, number>>;

const TICKS_PER_SECOND = 100; // USER_HZ on every Linux this runs on

interface Proc {
  pid: number;
  ppid: number;
  seconds: number;
}

function readProcs(): Proc[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const procs: Proc[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]); // utime stime cutime cstime
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), seconds: ticks / TICKS_PER_SECOND });
    } catch {
      // The process ended between readdir and read.
    }
  }
  return procs;
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** CPU seconds so far of this process's descendants, grouped by part. */
function cpuTimes(workers: { product: number; baseline: number }): CpuTimes {
  const procs = readProcs();
  const children = new Map<number, Proc[]>();
  for (const p of procs) {
    const siblings = children.get(p.ppid);
    if (siblings) siblings.push(p);
    else children.set(p.ppid, [p]);
  }
  const times: CpuTimes = {};
  const add = (part: CpuPart, seconds: number) => (times[part] = (times[part] ?? 0) + seconds);
  const self = procs.find((p) => p.pid === process.pid);
  if (self) add('bench process (API, SMTP sink, client)', self.seconds);
  // Walk the tree below this process; a worker's own children count as the worker.
  const walk = (pid: number, inherited: CpuPart | null): void => {
    for (const child of children.get(pid) ?? []) {
      const cmd = commandOf(child.pid);
      const part: CpuPart | null =
        child.pid === workers.product ? 'product worker'
        : child.pid === workers.baseline ? 'baseline worker'
        : inherited ?? (/\btemporal\b.*\bserver\b/.test(cmd) ? 'temporal server' : /postgres/.test(cmd) ? 'postgres' : null);
      if (part) add(part, child.seconds);
      walk(child.pid, part);
    }
  };
  walk(process.pid, null);
  return times;
}

function cpuDelta(before: CpuTimes, after: CpuTimes): CpuTimes {
  const delta: CpuTimes = {};
  for (const part of Object.keys(after) as CpuPart[]) delta[part] = (after[part] ?? 0) - (before[part] ?? 0);
  return delta;
}

/** "temporal server 12.3 s, postgres 1.2 s, ..." largest first; empty when /proc is not there. */
export function describeCpu(delta: CpuTimes, perUnit?: { count: number; unit: string }): string {
  const parts = (Object.entries(delta) as [CpuPart, number][]).filter(([, s]) => s > 0.005).sort((a, b) => b[1] - a[1]);
  if (!parts.length) return '';
  const total = parts.reduce((sum, [, s]) => sum + s, 0);
  const per = (s: number) => (perUnit ? ` (${((s * 1000) / perUnit.count).toFixed(1)} ms/${perUnit.unit})` : '');
  return `${total.toFixed(1)} CPU-s${per(total)}: ${parts.map(([part, s]) => `${part} ${s.toFixed(1)} s${per(s)}`).join(', ')}`;
}

/** CPU used by each part between laps: `lap()` returns the use since the previous lap (or creation). */
export class CpuMeter {
  private last: CpuTimes;
  constructor(private readonly workers: { product: number; baseline: number }) {
    this.last = cpuTimes(workers);
  }
  lap(): CpuTimes {
    const now = cpuTimes(this.workers);
    const delta = cpuDelta(this.last, now);
    this.last = now;
    return delta;
  }
}

/** The two notes a scenario prints: where the product's and the baseline's CPU went, per item. */
export function cpuNotes(product: CpuTimes, baseline: CpuTimes, count: number, units: { product: string; baseline: string }): string[] {
  const p = describeCpu(product, { count, unit: units.product });
  const b = describeCpu(baseline, { count, unit: units.baseline });
  return p ? [`CPU, product phase: ${p}.`, `CPU, baseline phase: ${b}.`] : [];
}
