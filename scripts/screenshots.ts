// `npx tsx scripts/screenshots.ts`: starts a throwaway stack (embedded PostgreSQL, Temporal dev
// server, worker, API, an in-process SMTP sink), makes demo leads MQL for a Japanese and an English
// rep, takes the links from the emails they receive and writes docs/screenshots/lead-page-{en,ja}.png
// and queue-{en,ja}.png with headless Chromium. Everything it starts is stopped and deleted at the end.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { buildApp } from '../src/api/app';
import { migrateAndSeed } from '../src/catalog/migrate-and-seed';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { createPool } from '../src/db/pool';
import { DEV_API_KEYS, DEV_APP_LINK_SECRET, DEV_TRACKING_SECRET } from '../src/dev-secrets';
import { createMailTransport } from '../src/mail/transport';
import { PROJECT_ROOT } from '../src/temporal/binaries';
import { connectClient } from '../src/temporal/client';
import { startDevServer } from '../src/temporal/dev-server';
import { createLeadWorker } from '../src/temporal/worker';
import { launchChromium } from '../test/integration/dashboard-browser';
import { freePort, stablePort } from '../test/support/free-port';
import { SmtpSink } from '../test/support/smtp-sink';

const OUT = join(PROJECT_ROOT, 'docs', 'screenshots');
const RUN = join(PROJECT_ROOT, '.data', `screenshots-${process.pid}`);
const key = (role: string) => DEV_API_KEYS.find((k) => k.role === role)!.key;
const say = (line: string) => console.log(`[screenshots] ${line}`);

/** The dev server opens its port before its frontend is healthy: try again for a while. */
async function retried<T>(attempt: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function main(): Promise<void> {
  mkdirSync(RUN, { recursive: true });
  mkdirSync(OUT, { recursive: true });
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const pg = await startEmbeddedPostgres({ dir: join(RUN, 'pg'), port: await freePort(), persistent: false });
    stops.unshift(pg.stop);
    const pool = createPool(pg.url, { max: 5 });
    stops.unshift(() => pool.end());
    await migrateAndSeed(pool);
    const temporal = await startDevServer({ dbFile: join(RUN, 'temporal.db'), port: await stablePort(), uiPort: await stablePort() });
    stops.unshift(temporal.stop);
    const sink = new SmtpSink();
    await sink.start();
    stops.unshift(() => sink.stop());

    const apiPort = await freePort();
    const baseUrl = `http://127.0.0.1:${apiPort}`;
    const taskQueue = 'screenshots';
    const connection = await retried(() => NativeConnection.connect({ address: temporal.address }));
    stops.unshift(() => connection.close());
    const worker = await createLeadWorker({
      connection, namespace: 'default', taskQueue, pool, transport: createMailTransport(sink.url), mailFrom: 'leadloop <noreply@leadloop.local>',
      publicBaseUrl: baseUrl, trackingSecret: DEV_TRACKING_SECRET, appLinkSecret: DEV_APP_LINK_SECRET,
    });
    const running = worker.run();
    stops.unshift(async () => {
      worker.shutdown();
      await running;
    });
    const client = await connectClient({ temporal: { address: temporal.address, namespace: 'default', taskQueue } });
    stops.unshift(() => client.connection.close());
    const app = await buildApp({
      pool, client, taskQueue, searchAttributes: true, apiKeys: [...DEV_API_KEYS], trackingSecret: DEV_TRACKING_SECRET, appLinkSecret: DEV_APP_LINK_SECRET, publicBaseUrl: baseUrl,
    });
    await app.listen({ port: apiPort, host: '127.0.0.1' });
    stops.unshift(() => app.close());
    say(`stack up: API ${baseUrl}`);

    const call = async (role: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${key(role)}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };

    await call('marketing', 'PUT', '/v1/scoring-models/demo', {
      fit: [{ id: 'decision-maker', attribute: 'title', pattern: 'director|部長|head', points: 20 }],
      behavior: [
        { id: 'opens', event: 'email_open', points: 5, maxPoints: 15 },
        { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 30 },
        { id: 'whitepaper', event: 'content_download', where: { asset: 'whitepaper' }, points: 10 },
        { id: 'demo', event: 'demo_request', points: 40 },
      ],
      mql: { threshold: 70, requireAnyOf: ['pricing', 'demo'] },
    });
    const tokyoHours = { timeZone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00', holidays: 'jp' };
    const reps = {
      ja: { email: 'sato@sales.example', name: '佐藤 花子', timeZone: 'Asia/Tokyo', policy: { sla: '8bh', businessHours: tokyoHours } },
      en: { email: 'alex@sales.example', name: 'Alex Morgan', timeZone: 'Europe/London', policy: { sla: '24h' } },
    } as const;
    const leads = {
      ja: [
        { name: '山田 太郎', company: '株式会社サンプル商事', title: '情報システム部長' },
        { name: '鈴木 一郎', company: '東京テック株式会社', title: 'CTO' },
      ],
      en: [
        { name: 'Jane Cooper', company: 'Northwind Traders', title: 'Director of Operations' },
        { name: 'Sam Lee', company: 'Contoso Ltd', title: 'Head of IT' },
      ],
    };

    const browser = await launchChromium();
    stops.unshift(() => browser.close());
    for (const lang of ['en', 'ja'] as const) {
      const rep = reps[lang];
      await call('ops', 'PUT', `/v1/users/${encodeURIComponent(rep.email)}`, { name: rep.name, role: 'sales', locale: lang, timeZone: rep.timeZone });
      await call('marketing', 'PUT', `/v1/campaigns/demo-${lang}`, {
        name: `Demo ${lang}`, scoringModel: 'demo', steps: [{ id: 'welcome', delay: '7d', subject: 'Hello', body: 'Hello' }],
        policy: { owners: [rep.email], manager: 'manager@sales.example', ...rep.policy },
      });
      const ids: string[] = [];
      for (const [i, fields] of leads[lang].entries()) {
        const { leadId } = (await call('marketing', 'POST', '/v1/leads', { email: `demo-${lang}-${i}@customer.example`, campaignId: `demo-${lang}`, ...fields })) as { leadId: string };
        ids.push(leadId);
        const events = [{ type: 'email_open' }, { type: 'email_open' }, { type: 'content_download', properties: { asset: 'whitepaper' } }, { type: 'page_view', properties: { page: 'pricing' } }, { type: 'demo_request' }];
        for (const event of events) await call('marketing', 'POST', `/v1/leads/${leadId}/events`, event);
        await sink.waitFor(() => sink.to(rep.email).length > i, 60_000, `email ${i + 1} to ${rep.email}`);
      }
      // The second lead has had one attempt already: the queue shows both stages.
      await call('sales', 'POST', `/v1/leads/${ids[1]}/contact`, { rep: rep.email, channel: 'call', outcome: 'no_answer', note: lang === 'ja' ? '不在。明日再度電話' : 'Voicemail, will call back tomorrow' });
      const mail = sink.to(rep.email)[0]!;
      const lead = /https?:\/\/\S+\/app\/leads\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
      const queue = /https?:\/\/\S+\/app\/queue\/[A-Za-z0-9_.-]+/.exec(mail.text)![0];
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: lang === 'ja' ? 'ja-JP' : 'en-GB', deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(lead);
      await page.screenshot({ path: join(OUT, `lead-page-${lang}.png`), fullPage: true });
      await page.goto(queue);
      await page.screenshot({ path: join(OUT, `queue-${lang}.png`), fullPage: true });
      await context.close();
      say(`wrote lead-page-${lang}.png and queue-${lang}.png`);
      if (lang === 'en') say(`the English handoff email:\n${mail.subject}\n\n${mail.text}`);
    }
  } finally {
    for (const stop of stops) await stop().catch((err: Error) => console.error(`[screenshots] ${err.message}`));
    rmSync(RUN, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
