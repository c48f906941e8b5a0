// `leadloop import <file.csv> --campaign <id>`: enrols every valid row of a CSV file through the
// same intake as the API (src/leads/enrol.ts) in two steps: the rows are stored in PostgreSQL in a
// few statements (after that nothing can be lost; timings in docs/performance.md), then their workflows are
// started, many at once, with a progress line. Starts that do not happen (Ctrl-C, Temporal down,
// --no-wait) are made by the worker's start relay. Invalid rows are reported with their line numbers
// and written, with an `error` column, to `<file>.rejects.csv`. Enrolment is idempotent per
// normalized email, so importing the same file again creates nothing new.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { resolveLeadConfig, UnknownCatalogEntryError } from '../catalog/store';
import type { LeadConfig } from '../domain/lead-state';
import type { IntakeDeps } from '../leads/deps';
import { isSuppressed, startLeadWorkflow, storeLeads, type StoredLead } from '../leads/enrol';
import { normalizeEmail } from '../schemas/common';
import { enrollLeadSchema, type EnrollLeadInput } from '../schemas/lead';
import { CliError } from './context';
import type { Progress, ProgressCounts } from './progress';

export const DEFAULT_CONCURRENCY = 32;
/** Rows per INSERT statement while storing. */
const STORE_CHUNK = 500;

/** Header names (case, spaces, "_" and "-" ignored) → enrolment fields. Other columns become attributes. */
const FIELD_COLUMNS: Record<string, string> = {
  email: 'email',
  emailaddress: 'email',
  name: 'name',
  fullname: 'name',
  company: 'company',
  title: 'title',
  jobtitle: 'title',
  employees: 'employees',
  industry: 'industry',
  country: 'country',
  timezone: 'timezone',
  source: 'source',
  utmsource: 'utm.source',
  utmmedium: 'utm.medium',
  utmcampaign: 'utm.campaign',
};
/** Columns a rejects file adds: ignored on import, so a corrected rejects file can be imported as is. */
const REJECTS_COLUMNS = new Set(['line', 'error']);
const MAX_LISTED = 20;

export interface RejectedRow {
  line: number;
  error: string;
}

export interface ImportResult {
  file: string;
  campaign: { id: string; version: number };
  model: { id: string; version: number };
  total: number;
  created: number;
  existing: number;
  invalid: number;
  failed: number;
  /** Workflows started (new leads) or signalled with merged attributes (known leads) by this run. */
  started: number;
  /** Leads stored whose workflow was never started and this run did not start: the worker's start relay does. */
  pending: number;
  /** Why some workflows were not started (the first error), if any. */
  startError?: string;
  /** Every rejected row (invalid or failed), in file order. */
  rejects: RejectedRow[];
  rejectsFile: string | null;
  elapsedMs: number;
  /** Time to validate and store every row (the part after which nothing can be lost). */
  storeMs: number;
}

export interface ImportOptions {
  campaignId: string;
  concurrency?: number;
  progress?: Progress;
  /** Progress of the workflow starts (second step). */
  startProgress?: Progress;
  /** false: store the rows and return; the worker's start relay starts the workflows. */
  wait?: boolean;
  /** Where rejected rows go; default `<file>.rejects.csv`. */
  rejectsFile?: string;
}

interface Row {
  line: number;
  values: string[];
  input?: EnrollLeadInput;
  error?: string;
}

export const rejectsPathFor = (file: string): string => `${file}.rejects.csv`;

const columnKey = (header: string): string => header.trim().toLowerCase().replace(/[\s_-]+/g, '');

function decodeUtf8(buffer: Buffer, file: string): { text: string; bom: boolean } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buffer);
    const bom = text.charCodeAt(0) === 0xfeff;
    return { text: bom ? text.slice(1) : text, bom };
  } catch {
    throw new CliError(`${file} is not UTF-8 text. Save it as "CSV UTF-8" (Excel) or convert it, e.g. \`iconv -f SHIFT_JIS -t UTF-8 ${file} > leads-utf8.csv\``);
  }
}

/** Attribute values from text: true/false and plain numbers (no leading zeros: zip codes stay text). */
function attributeValue(value: string): string | number | boolean {
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const field = path.startsWith('utm.') ? `utm_${path.slice(4)}` : path.startsWith('attributes.') ? path.slice('attributes.'.length) : path;
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Parses the file into rows with line numbers; each row either carries a validated input or an error. */
export function readLeadsCsv(file: string, campaignId: string): { header: string[]; rows: Row[]; bom: boolean } {
  let buffer: Buffer;
  try {
    buffer = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file}: ${(err as Error).message}`);
  }
  const { text, bom } = decodeUtf8(buffer, file);
  let records: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    records = parse(text, { info: true, raw: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: false }) as unknown as typeof records;
  } catch (err) {
    throw new CliError(`${file} is not valid CSV: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new CliError(`${file} is empty: expected a header row with at least an "email" column`);
  const header = records[0]!.record.map((h) => h.replace(NEUTRALISED, '').trim());
  const fields = header.map((h) => (REJECTS_COLUMNS.has(columnKey(h)) ? null : (FIELD_COLUMNS[columnKey(h)] ?? `attributes.${h}`)));
  if (!fields.includes('email')) {
    throw new CliError(`${file}: the header row (line 1) has no "email" column; found: ${header.join(', ') || '(nothing)'}`);
  }
  const seen = new Map<string, number>();
  for (const [i, h] of header.entries()) {
    if (!h && records.slice(1).some((r) => (r.record[i] ?? '').trim() !== '')) throw new CliError(`${file}: column ${i + 1} of the header row has no name`);
    const f = fields[i];
    if (f && seen.has(f)) throw new CliError(`${file}: columns ${seen.get(f)! + 1} and ${i + 1} of the header row both mean "${f.replace(/^attributes\./, '')}"`);
    if (f) seen.set(f, i);
  }

  const firstLineOf = new Map<string, number>();
  const rows: Row[] = [];
  for (const { record, info, raw } of records.slice(1)) {
    // info.lines is the line the record ends on; a quoted field may span lines, and skipped blank lines precede it.
    const body = raw.replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '');
    const line = info.lines - (body.match(/\n/g)?.length ?? 0);
    if (record.every((v) => v.trim() === '')) continue;
    const row: Row = { line, values: record };
    rows.push(row);
    if (record.length !== header.length) {
      row.error = `expected ${header.length} columns as in the header row, found ${record.length}`;
      continue;
    }
    const input: Record<string, unknown> = { campaignId };
    const utm: Record<string, string> = {};
    const attributes: Record<string, string | number | boolean> = {};
    const problems: string[] = [];
    for (const [i, rawValue] of record.entries()) {
      const field = fields[i];
      const value = rawValue.replace(NEUTRALISED, '').trim();
      if (!field || value === '') continue;
      if (field === 'employees') {
        const digits = value.replace(/,/g, '');
        if (/^\d+$/.test(digits)) input.employees = Number(digits);
        else problems.push(`employees: must be a whole number, got "${value}"`);
      } else if (field.startsWith('utm.')) utm[field.slice(4)] = value;
      else if (field.startsWith('attributes.')) attributes[field.slice('attributes.'.length)] = attributeValue(value);
      else input[field] = value;
    }
    if (Object.keys(utm).length) input.utm = utm;
    if (Object.keys(attributes).length) input.attributes = attributes;
    const parsed = enrollLeadSchema.safeParse(input);
    if (!parsed.success) problems.push(formatIssues(parsed.error));
    if (problems.length) {
      row.error = problems.join('; ');
      continue;
    }
    const key = normalizeEmail(parsed.data!.email);
    const first = firstLineOf.get(key);
    if (first !== undefined) {
      row.error = `email: the same email as line ${first}`;
      continue;
    }
    firstLineOf.set(key, line);
    row.input = input as EnrollLeadInput;
  }
  return { header, rows, bom };
}

/** A cell a spreadsheet would run as a formula (OWASP "CSV injection"): =, +, -, @ (after any spaces), or a leading tab/CR. */
const FORMULA_START = /^(?:[ ]*[=+\-@]|[\t\r])/;
/** The quote a rejects file put in front of such a cell: removed on import, so a corrected rejects file imports as is. */
const NEUTRALISED = /^'(?=[ ]*[=+\-@]|[\t\r])/;

/** One cell of the rejects file: a formula-like value gets a leading ' (shown as text), and the cell is quoted (always for those). */
export function csvCell(value: string): string {
  const formula = FORMULA_START.test(value);
  const safe = formula ? `'${value}` : value;
  return formula || /[",\t\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function writeRejects(path: string, header: string[], rows: Row[], bom: boolean): void {
  const keep = header.map((h, i) => (REJECTS_COLUMNS.has(columnKey(h)) ? -1 : i)).filter((i) => i >= 0);
  const lines = [[...keep.map((i) => header[i]!), 'line', 'error']];
  // Every cell goes through csvCell: header names and values come from the file, and errors quote it.
  for (const row of rows) lines.push([...keep.map((i) => row.values[i] ?? ''), String(row.line), row.error ?? '']);
  writeFileSync(path, `${bom ? '\ufeff' : ''}${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`);
}

export async function importLeads(deps: IntakeDeps, file: string, options: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  let config: LeadConfig;
  try {
    config = await resolveLeadConfig(deps.pool, options.campaignId);
  } catch (err) {
    if (err instanceof UnknownCatalogEntryError) {
      throw new CliError(
        err.kind === 'campaign'
          ? `no campaign with id '${options.campaignId}': create it first (PUT /v1/campaigns/${options.campaignId}) or use --campaign default`
          : `campaign '${options.campaignId}' names scoring model '${err.entryId}', which does not exist`,
      );
    }
    throw err;
  }
  const { header, rows, bom } = readLeadsCsv(file, options.campaignId);
  const counts: ProgressCounts = { done: 0, total: rows.length, created: 0, existing: 0, invalid: 0, failed: 0 };
  for (const row of rows) {
    if (row.error) {
      counts.invalid++;
      counts.done++;
    }
  }
  options.progress?.update(counts);

  // Step 1: store. A failure here (PostgreSQL gone) stops the import: the rows stored so far are
  // safe and importing the file again continues where it stopped.
  const queue = rows.filter((r) => r.input);
  const stored: StoredLead[] = [];
  for (let i = 0; i < queue.length; i += STORE_CHUNK) {
    const chunk = queue.slice(i, i + STORE_CHUNK);
    const result = await storeLeads(deps.pool, chunk.map((r) => r.input!), config).catch((err: Error) => {
      throw new CliError(`import stopped after ${stored.length.toLocaleString('en-US')} stored rows (importing the file again continues): ${err.message}`);
    });
    for (const [k, lead] of result.entries()) {
      if (isSuppressed(lead)) {
        chunk[k]!.error = 'email: this person was erased on request; enrol them through the API with consent: "renewed" if they agreed again';
        counts.invalid++;
        counts.done++;
        continue;
      }
      stored.push(lead);
      if (lead.inserted) counts.created++;
      else counts.existing++;
      counts.done++;
    }
    options.progress?.update(counts);
  }
  options.progress?.finish(counts);
  const storeMs = Date.now() - started;

  // Step 2: start the new leads' workflows and signal the known ones their new attributes.
  const toStart = stored.filter((l) => l.needsStart);
  let startedCount = 0;
  let startError: string | undefined;
  let pending = stored.filter((l) => l.pendingStart).length;
  if (options.wait !== false && toStart.length > 0) {
    const startCounts: ProgressCounts = { done: 0, total: toStart.length, created: 0, existing: 0, invalid: 0, failed: 0, pending: 0 };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, 256));
    let next = 0;
    let failures = 0;
    const lane = async () => {
      while (next < toStart.length) {
        // Nothing but failures so far (Temporal unreachable): leave the rest to the start relay.
        if (startedCount === 0 && failures >= concurrency) return;
        const lead = toStart[next++]!;
        try {
          await startLeadWorkflow(deps, lead.leadId, config, lead.attributes, { replayEvents: !lead.inserted, enrolmentRecorded: lead.enrolmentRecorded });
          startedCount++;
          if (lead.pendingStart) {
            startCounts.created++;
            pending--;
          } else startCounts.existing++;
        } catch (err) {
          startError ??= (err as Error).message;
          failures++;
          startCounts.pending = failures;
        }
        startCounts.done++;
        options.startProgress?.update(startCounts);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    options.startProgress?.finish(startCounts);
  }

  const rejected = rows.filter((r) => r.error);
  const rejectsFile = options.rejectsFile ?? rejectsPathFor(file);
  if (rejected.length) writeRejects(rejectsFile, header, rejected, bom);
  else rmSync(rejectsFile, { force: true }); // a stale rejects file of an earlier run would mislead
  return {
    file,
    campaign: { id: config.campaign.id, version: config.campaign.version },
    model: { id: config.model.id, version: config.model.version },
    total: rows.length,
    created: counts.created,
    existing: counts.existing,
    invalid: counts.invalid,
    failed: counts.failed,
    started: startedCount,
    pending,
    ...(startError ? { startError } : {}),
    rejects: rejected.map((r) => ({ line: r.line, error: r.error! })),
    rejectsFile: rejected.length ? rejectsFile : null,
    elapsedMs: Date.now() - started,
    storeMs,
  };
}

/** The summary printed on stdout, and the rejected rows (the first few) for stderr. */
export function describeImport(result: ImportResult): { summary: string; rejectLines: string[] } {
  const n = (v: number) => v.toLocaleString('en-US');
  const seconds = result.elapsedMs / 1000;
  const summary = [
    `Imported ${result.file} into campaign '${result.campaign.id}' v${result.campaign.version} (scoring model '${result.model.id}' v${result.model.version})`,
    `  rows:      ${n(result.total)}`,
    `  created:   ${n(result.created)}`,
    `  existing:  ${n(result.existing)} (already enrolled: attributes merged, nothing duplicated)`,
    `  invalid:   ${n(result.invalid)}`,
    ...(result.failed ? [`  failed:    ${n(result.failed)}`] : []),
    ...(result.rejectsFile ? [`  rejects:   ${result.rejectsFile} (fix the rows there and import that file again)`] : []),
    `  workflows: ${n(result.started)} started or signalled${result.pending ? `, ${n(result.pending)} pending: the worker's start relay starts them (stored, nothing is lost)` : ''}`,
    ...(result.startError ? [`  note:      some workflow starts failed (first error: ${result.startError})`] : []),
    `  time:      ${seconds.toFixed(1)} s; all rows stored after ${(result.storeMs / 1000).toFixed(1)} s (${n(Math.round(result.total / Math.max(result.storeMs / 1000, 0.001)))} rows/s)`,
  ].join('\n');
  const rejectLines = result.rejects.slice(0, MAX_LISTED).map((r) => `line ${r.line}: ${r.error}`);
  if (result.rejects.length > MAX_LISTED) rejectLines.push(`... and ${n(result.rejects.length - MAX_LISTED)} more in ${result.rejectsFile}`);
  return { summary, rejectLines };
}
