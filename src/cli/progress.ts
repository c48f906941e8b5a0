// A progress line on stderr: redrawn in place on a terminal, a plain line every few seconds otherwise
// (CI logs, `2> file`), so that a long import always shows how far it got, its rate and its ETA.
export interface ProgressCounts {
  done: number;
  total: number;
  created: number;
  existing: number;
  invalid: number;
  failed: number;
  /** Stored, not started yet (left to the start relay). */
  pending?: number;
}

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** "4,321/10,000  43% [######----]  612 rows/s  ETA 9s  created 4,300 · existing 10 · invalid 11" */
export function formatProgress(c: ProgressCounts, elapsedMs: number, width = 20): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const fraction = c.total > 0 ? Math.min(1, c.done / c.total) : 1;
  const rate = elapsedMs > 0 ? (c.done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? (c.total - c.done) / rate : Number.POSITIVE_INFINITY;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const parts = [`created ${n(c.created)}`, `existing ${n(c.existing)}`, `invalid ${n(c.invalid)}`];
  if (c.failed) parts.push(`failed ${n(c.failed)}`);
  if (c.pending) parts.push(`pending ${n(c.pending)}`);
  return `${n(c.done)}/${n(c.total)} ${String(Math.floor(fraction * 100)).padStart(3)}% ${bar} ${rate.toFixed(0)} rows/s  ETA ${c.done >= c.total ? '0s' : formatDuration(eta)}  ${parts.join(' · ')}`;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  /** Prints the final state (always, also when not a TTY) and ends the in-place line. */
  finish(counts: ProgressCounts): void;
}

export function createProgress(stream: ProgressStream, options: { label?: string; intervalMs?: number; now?: () => number } = {}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const tty = Boolean(stream.isTTY);
  // A terminal is redrawn ~10 times a second; a log gets one line every 2 s (LEADLOOP_PROGRESS_INTERVAL_MS overrides).
  const interval = options.intervalMs ?? (tty ? 100 : Number(process.env.LEADLOOP_PROGRESS_INTERVAL_MS ?? 2000));
  const label = options.label ? `${options.label} ` : '';
  let last = started;
  const line = (c: ProgressCounts) => `${label}${formatProgress(c, now() - started)}`;
  const draw = (c: ProgressCounts) => {
    if (tty) {
      const text = line(c);
      const max = (stream.columns ?? 120) - 1;
      stream.write(`\r\x1b[2K${text.length > max ? text.slice(0, max) : text}`);
    } else {
      stream.write(`${line(c)}\n`);
    }
  };
  return {
    update(c) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      draw(c);
    },
    finish(c) {
      draw(c);
      if (tty) stream.write('\n');
    },
  };
}
