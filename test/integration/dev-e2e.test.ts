// `npm run dev` (src/dev.ts) end to end, as a newcomer runs it: a child process on free ports with
// its own data folder; the README tour over HTTP; Ctrl-C (SIGINT); a second start on the same data,
// after which the lead that was waiting on its SLA timer still escalates (the manager's email lands
// in the mail folder as an .eml file).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/temporal/binaries';
import { stablePort } from '../support/free-port';
import { eventually, uid } from '../support/harness';

const KEYS = { marketing: 'dev-marketing-key-0001', sales: 'dev-sales-key-00000001', ops: 'dev-ops-key-000000001' };
/** Long enough to stop the stack while the timer runs, short enough for the test. */
const SLA_SECONDS = 20;

interface Dev {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

describe('npm run dev end to end (restart resumes SLA timers)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadloop-dev-e2e-'));
  const mailDir = join(dataDir, 'mail');
  const tag = uid();
  const manager = `manager-${tag}@e2e.test`;
  let ports: Record<string, number>;
  let api: string;
  let dev: Dev | null = null;

  function start(): Dev {
    const env: NodeJS.ProcessEnv = { ...process.env, LEADLOOP_DATA_DIR: dataDir, PORT: String(ports.api) };
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'API_KEYS', 'TRACKING_SECRET', 'PUBLIC_BASE_URL', 'TEMPORAL_UI_URL']) delete env[name];
    Object.assign(env, { DEV_POSTGRES_PORT: String(ports.pg), DEV_TEMPORAL_PORT: String(ports.temporal), DEV_TEMPORAL_UI_PORT: String(ports.ui), DEV_SMTP_PORT: String(ports.smtp) });
    // `node --import tsx` (what `npm run dev` runs, minus tsx's watcher process in between): SIGINT
    // reaches src/dev.ts itself, as Ctrl-C in a terminal does (it signals the whole process group).
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev.ts'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    return { child, output, exited };
  }

  async function waitReady(d: Dev): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (d.child.exitCode !== null) throw new Error(`npm run dev exited with ${d.child.exitCode}:\n${d.output.join('\n')}`);
      const ok = await fetch(`${api}/readyz`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`npm run dev not ready within 60 s:\n${d.output.join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Ctrl-C; resolves with the exit code, or how it was killed. */
  async function stop(d: Dev): Promise<number | string | null> {
    d.child.kill('SIGINT');
    const timeout = setTimeout(() => d.child.kill('SIGKILL'), 20_000);
    const { code, signal } = await d.exited;
    clearTimeout(timeout);
    return signal ? `killed by ${signal}` : code;
  }

  /** `npx leadloop …` in the project folder, with no database or Temporal configured. */
  function leadloop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LEADLOOP_DATA_DIR: dataDir };
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: PROJECT_ROOT, env, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  async function call(role: keyof typeof KEYS, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${KEYS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }

  const canConnect = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });

  const mailTo = (address: string) =>
    existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(mailDir, f), 'utf8')).filter((eml) => eml.includes(address)) : [];

  beforeAll(async () => {
    ports = { pg: await stablePort(), temporal: await stablePort(), ui: await stablePort(), smtp: await stablePort(), api: await stablePort() };
    api = `http://127.0.0.1:${ports.api}`;
  });
  afterAll(async () => {
    if (dev && dev.child.exitCode === null) await stop(dev);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the tour, stops on SIGINT, and resumes the SLA timer after a restart', async () => {
    dev = start();
    await waitReady(dev);
    expect(dev.output.join('\n')).toContain('[dev] leadloop is running');
    expect(dev.output.join('\n')).toContain(`http://127.0.0.1:${ports.api}/docs`);
    expect(dev.output.join('\n')).toContain(KEYS.marketing);

    const owners = [`owner1-${tag}@e2e.test`, `owner2-${tag}@e2e.test`];
    const campaign = await call('marketing', 'PUT', '/v1/campaigns/e2e', {
      name: 'E2E',
      steps: [{ id: 'welcome', delay: '0s', subject: 'Welcome, {{name}}', body: 'Hello {{name}}' }],
      policy: { sla: `${SLA_SECONDS}s`, owners, manager, recyclePeriod: '1h' },
    });
    expect(campaign.status).toBe(201);

    const enrol = async (name: string) => {
      const res = await call('marketing', 'POST', '/v1/leads', { email: `${name}-${tag}@customer.test`, name, title: 'IT Director', employees: 300, campaignId: 'e2e' });
      expect(res.status).toBe(201);
      return res.json.leadId as string;
    };
    const makeMql = async (leadId: string) => {
      for (const event of [{ type: 'page_view', properties: { page: 'pricing' } }, { type: 'demo_request' }]) {
        expect((await call('marketing', 'POST', `/v1/leads/${leadId}/events`, event)).status).toBe(202);
      }
      return eventually(async () => {
        const lead = (await call('sales', 'GET', `/v1/leads/${leadId}`)).json;
        expect(lead.stage).toBe('mql');
        // Routing names the owner a moment after the handoff.
        expect(lead.owner).toBeTruthy();
        return lead;
      });
    };

    // The tour: enrol → events → MQL → contact → reject (recycled).
    const toured = await enrol('toured');
    const mql = await makeMql(toured);
    expect(owners).toContain(mql.owner);
    expect((await call('sales', 'POST', `/v1/leads/${toured}/contact`, { rep: owners[0], channel: 'call' })).status).toBeLessThan(300);
    expect((await call('sales', 'POST', `/v1/leads/${toured}/reject`, { rep: owners[0], reason: 'bad_timing' })).status).toBeLessThan(300);
    await eventually(async () => expect((await call('sales', 'GET', `/v1/leads/${toured}`)).json.stage).toBe('recycled'));
    await eventually(() => expect(mailTo(`toured-${tag}@customer.test`).length).toBeGreaterThan(0)); // welcome email as .eml

    // The CLI beside it finds the stack by itself, and the database password is never printed.
    const lead = await leadloop(['lead', `toured-${tag}@customer.test`]);
    expect(lead).toMatchObject({ code: 0, stderr: expect.stringContaining('using the running `npm run dev` (PostgreSQL postgres://') });
    expect(lead.stdout).toContain('recycled');
    for (const line of [...dev.output, lead.stderr]) expect(line).not.toMatch(/postgres:\/\/[^:/@\s]+:(?!\*\*\*@)[^@\s]+@/);

    // A lead left waiting on its SLA timer, then Ctrl-C.
    const waiting = await enrol('waiting');
    const before = await makeMql(waiting);
    const deadline = Date.parse(before.slaDeadline);
    expect(deadline).toBeGreaterThan(Date.now());
    expect(await stop(dev)).toBe(0);
    expect(dev.output.join('\n')).toContain('[dev] stopping...');
    // A stopped stack is not found again: the CLI says what it needs.
    expect((await leadloop(['lead', 'x'])).stderr).toContain('DATABASE_URL: required by the CLI');
    expect(await fetch(`${api}/readyz`).then(() => 'up', () => 'down')).toBe('down');
    // Everything it started is stopped: the ports are free again (no orphaned Temporal dev server).
    for (const port of [ports.temporal, ports.pg, ports.smtp]) expect(await canConnect(port)).toBe(false);
    // Stopped before the deadline: no escalation could have been sent yet.
    expect(Date.now()).toBeLessThan(deadline);
    expect(mailTo(manager)).toHaveLength(0);

    // Second start on the same data (PostgreSQL's and Temporal's): the timer fires, the manager is
    // emailed, the lead is reassigned.
    dev = start();
    await waitReady(dev);
    const eml = await eventually(() => {
      const mails = mailTo(manager);
      expect(mails.length).toBeGreaterThan(0);
      return mails[0]!;
    }, 60_000, 250).catch((err: Error) => {
      throw new Error(`${err.message}\n--- npm run dev (second start) ---\n${dev!.output.filter((l) => !/ INFO |webpack|^\s|^\.\//.test(l)).join('\n')}`);
    });
    expect(eml).toMatch(/^Subject: SLA missed: first contact by owner\d-/m);
    // The breach's transition record runs beside the escalation email: wait for it.
    await eventually(async () => {
      const after = (await call('sales', 'GET', `/v1/leads/${waiting}`)).json;
      expect(after.transitions.map((t: { reason: string }) => t.reason)).toEqual(expect.arrayContaining(['enrolled', 'mql', 'sla_breached']));
      expect(after.owner).not.toBe(before.owner);
    });
    // The toured lead kept its state across the restart too.
    expect((await call('sales', 'GET', `/v1/leads/${toured}`)).json.stage).toBe('recycled');
    expect(await stop(dev)).toBe(0);
  });
});
