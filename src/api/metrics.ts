// Prometheus metrics of the API process: requests by route and status, latency, events accepted;
// handoffs and SLA breaches are counted from lead_transitions at scrape time (the workflows record
// them there), and email failures from email_failure_counts (the workers count them there), so
// every API replica reports the same numbers.
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { countLeadsByStage, countTransitions } from '../leads/store';

export interface ApiMetrics {
  registry: Registry;
  eventsAccepted: Counter<'source'>;
  /** Adds the request counting hooks to the app. */
  install(app: FastifyInstance): void;
}

export function createMetrics(pool: Pool): ApiMetrics {
  const registry = new Registry();
  const requests = new Counter({ name: 'leadloop_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'leadloop_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const eventsAccepted = new Counter({ name: 'leadloop_events_accepted_total', help: 'Behaviour events accepted by this process (duplicates excluded)', labelNames: ['source'], registers: [registry] });
  const fromTransitions = (name: string, help: string, reason: string) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(await countTransitions(pool, reason));
      },
    });
  fromTransitions('leadloop_handoffs', 'MQL handoffs to sales recorded in PostgreSQL (all time)', 'mql');
  fromTransitions('leadloop_sla_breaches', 'SLA breaches recorded in PostgreSQL (all time)', 'sla_breached');
  new Gauge({
    name: 'leadloop_leads',
    help: 'Leads by current stage',
    labelNames: ['stage'],
    registers: [registry],
    async collect() {
      const counts = await countLeadsByStage(pool);
      this.reset();
      for (const { stage, count } of counts) this.set({ stage }, count);
    },
  });

  // Counted by the workers in PostgreSQL (activities/email.ts), read at scrape time like the above.
  new Counter({
    name: 'leadloop_email_failures_total',
    help: 'Failed SMTP delivery attempts by kind (bounce: a recipient refused for good; the others are retried)',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const { rows } = await pool.query<{ kind: string; failures: string }>('SELECT kind, failures FROM email_failure_counts');
      this.reset();
      for (const row of rows) this.inc({ kind: row.kind }, Number(row.failures));
    },
  });

  const started = new WeakMap<object, bigint>();
  const install = (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      started.set(request, process.hrtime.bigint());
    });
    app.addHook('onResponse', async (request, reply) => {
      // The route template, never the raw URL (ids and tokens would explode the label set).
      const route = request.routeOptions.url ?? 'unmatched';
      const t0 = started.get(request);
      requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      if (t0 !== undefined) latency.observe({ method: request.method, route }, Number(process.hrtime.bigint() - t0) / 1e9);
    });
  };
  return { registry, eventsAccepted, install };
}
