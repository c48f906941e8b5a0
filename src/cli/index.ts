// `leadloop`: the command line for operators. Talks to PostgreSQL (DATABASE_URL) and Temporal
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE) as configured in src/config.ts.
// Exit codes: 0 done; 1 error (bad input, configuration, unreachable service); 2 import finished with rejected rows.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config';
import { CliError, openContext } from './context';
import { DEFAULT_CONCURRENCY, describeImport, importLeads } from './import';
import { findLead, formatLead } from './lead';
import { createProgress } from './progress';
import { seedDemo } from './seed-demo';
import { censusOfRuns, formatCensus } from '../leads/run-upgrade';
import { formatFunnel } from './report';
import { isTimeZone } from '../domain/zoned-time';
import { funnelReport, resolveRange } from '../reports/funnel';

const positiveInt = (max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
  return n;
};

export function buildProgram(): Command {
  const program = new Command('leadloop')
    .description('leadloop operations: import leads, look one up, report the funnel, upgrade lead runs, seed demo data')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment: DATABASE_URL (required), TEMPORAL_ADDRESS (default localhost:7233),\nTEMPORAL_NAMESPACE (default), TEMPORAL_TASK_QUEUE (leads). See docs/operations.md.',
    );

  program
    .command('import')
    .description('enrol the leads of a CSV file (header row; UTF-8) in a campaign; importing the same file again creates no duplicates')
    .argument('<file>', 'CSV file with a header row: email (required), name, company, title, employees, industry, country, timezone, source, utm_source, utm_medium, utm_campaign; other columns become attributes')
    .requiredOption('-c, --campaign <id>', 'campaign id (its latest version and scoring model are pinned for every lead)')
    .option('--concurrency <n>', 'rows in flight', positiveInt(256), DEFAULT_CONCURRENCY)
    .option('--rejects <file>', 'where to write rejected rows (default <file>.rejects.csv)')
    .option('--no-wait', "store the rows and return; the worker's start relay starts their workflows")
    .action(async (file: string, opts: { campaign: string; concurrency: number; rejects?: string; wait: boolean }) => {
      const ctx = await openContext({ temporal: true });
      try {
        const result = await importLeads(ctx.deps(), file, {
          campaignId: opts.campaign,
          concurrency: opts.concurrency,
          rejectsFile: opts.rejects,
          wait: opts.wait,
          progress: createProgress(process.stderr, { label: 'store' }),
          startProgress: createProgress(process.stderr, { label: 'start' }),
        });
        const { summary, rejectLines } = describeImport(result);
        for (const line of rejectLines) process.stderr.write(`${line}\n`);
        process.stdout.write(`${summary}\n`);
        if (result.rejects.length) process.exitCode = 2;
      } finally {
        await ctx.close();
      }
    });

  program
    .command('lead')
    .description("one lead's state, score, owner, deadlines and transitions")
    .argument('<leadIdOrEmail>', 'lead id (UUID) or email address')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const ctx = await openContext({ temporal: true });
      try {
        const lead = await findLead(ctx.pool, ctx.client, ref);
        process.stdout.write(`${opts.json ? JSON.stringify(lead, null, 2) : formatLead(lead)}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('report')
    .description('the funnel (leads, MQLs, SQLs, conversion, SLA compliance, rejection reasons, weekly) as a table')
    .option('--from <date>', 'start: a date (local midnight in --tz) or an ISO time; default: 12 weeks before --to')
    .option('--to <date>', 'end, exclusive; default: the end of today')
    .option('--campaign <id>', 'only this campaign')
    .option('--source <source>', 'only this lead source')
    .option('--tz <zone>', 'IANA time zone of the weekly buckets and dates (default: REPORT_TIME_ZONE, else UTC)')
    .option('--json', 'print JSON (the same document as GET /v1/reports/funnel)')
    .action(async (opts: { from?: string; to?: string; campaign?: string; source?: string; tz?: string; json?: boolean }) => {
      const tz = opts.tz ?? (process.env.REPORT_TIME_ZONE || 'UTC');
      if (!isTimeZone(tz)) throw new CliError(`--tz: unknown time zone '${tz}'`);
      const range = resolveRange(opts.from, opts.to, new Date(), tz);
      if ('error' in range) throw new CliError(range.error);
      const ctx = await openContext({ temporal: false });
      try {
        const report = await funnelReport(ctx.pool, { ...range, tz, ...(opts.campaign ? { campaignId: opts.campaign } : {}), ...(opts.source ? { source: opts.source } : {}) });
        process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatFunnel(report)}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('runs')
    .description('how many open lead runs are on each workflow revision; --upgrade moves the older ones onto the newest code')
    .option('--upgrade', 'ask every open run below the newest revision to continue as new on it (safe to repeat)')
    .option('--json', 'print JSON')
    .action(async (opts: { upgrade?: boolean; json?: boolean }) => {
      const ctx = await openContext({ temporal: true });
      try {
        const census = await censusOfRuns(ctx.deps().client, ctx.config.temporal.taskQueue, { upgrade: opts.upgrade === true });
        process.stdout.write(`${opts.json ? JSON.stringify(census, null, 2) : formatCensus(census)}\n`);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('seed-demo')
    .description("a demo campaign ('demo') with owners and a manager, and a few hundred leads with events; safe to run again")
    .option('--leads <n>', 'how many demo leads', positiveInt(10_000), 300)
    .action(async (opts: { leads: number }) => {
      const ctx = await openContext({ temporal: true });
      try {
        const result = await seedDemo(ctx.deps(), { leads: opts.leads, progress: createProgress(process.stderr, { label: 'seed-demo' }) });
        process.stdout.write(
          `Seeded campaign '${result.campaign.id}' v${result.campaign.version}: ${result.leads} demo leads (${result.created} new), ${result.events} new events.\n` +
            `Try: leadloop lead ${result.sampleEmail}  (or GET /v1/leads?campaignId=demo)\n`,
        );
      } finally {
        await ctx.close();
      }
    });
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof CliError) {
      process.stderr.write(`leadloop: ${err.message}\n`);
      process.exitCode = err instanceof CliError ? err.exitCode : 1;
    } else {
      // Unexpected: one line by default, the stack with LEADLOOP_DEBUG=1.
      process.stderr.write(`leadloop: ${process.env.LEADLOOP_DEBUG ? (err as Error).stack : (err as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}

void main(process.argv);
