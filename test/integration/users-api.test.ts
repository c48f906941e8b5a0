// The user directory over HTTP: idempotent PUT per normalized email, reads for ops and managers,
// hostile input answered 400 naming the field (never a 500), and a bounded, paginated list.
import { startApiHarness, type ApiHarness } from './api-support';

describe('user directory API', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness('users-api');
  });
  afterAll(async () => h?.stop());

  const body = { name: '佐藤 花子', role: 'sales', locale: 'ja' };

  it('creates a user, answers a repeated PUT with 200 and no change, and replaces every field', async () => {
    const email = `Hanako.Sato-${h.tag}@Sales.test`;
    const full = { ...body, team: `East ${h.tag}`, timeZone: 'Asia/Tokyo', capacity: 30, outOfOffice: [{ from: '2026-12-29', to: '2027-01-03' }] };
    const created = await h.call('ops', 'PUT', `/v1/users/${encodeURIComponent(email)}`, full);
    expect([created.statusCode, created.json()]).toEqual([201, { email, created: true }]);
    const first = (await h.call('manager', 'GET', `/v1/users/${email.toLowerCase()}`)).json();
    expect(first).toMatchObject({ email, name: '佐藤 花子', role: 'sales', team: `East ${h.tag}`, timeZone: 'Asia/Tokyo', locale: 'ja', capacity: 30, outOfOffice: full.outOfOffice });

    const again = await h.call('ops', 'PUT', `/v1/users/${email}`, full);
    expect([again.statusCode, again.json().created]).toEqual([200, false]);
    expect((await h.call('ops', 'GET', `/v1/users/${email}`)).json().updatedAt).toBe(first.updatedAt);

    // Another spelling of the same address replaces the entry; fields left out are cleared.
    const replaced = await h.call('ops', 'PUT', `/v1/users/ ${email.toUpperCase()} `, { ...body, role: 'manager', locale: 'en' });
    expect([replaced.statusCode, replaced.json()]).toEqual([200, { email: email.toUpperCase(), created: false }]);
    const now = (await h.call('ops', 'GET', `/v1/users/${email}`)).json();
    expect(now).toMatchObject({ email: email.toUpperCase(), role: 'manager', locale: 'en', team: null, timeZone: null, capacity: null, outOfOffice: [], createdAt: first.createdAt });
    expect(Date.parse(now.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
  });

  it('lets ops write, ops and managers read, nobody else', async () => {
    const email = `roles-${h.tag}@sales.test`;
    for (const role of ['marketing', 'sales', 'manager'] as const) expect([role, (await h.call(role, 'PUT', `/v1/users/${email}`, body)).statusCode]).toEqual([role, 403]);
    expect((await h.call('ops', 'PUT', `/v1/users/${email}`, body)).statusCode).toBe(201);
    for (const role of ['marketing', 'sales'] as const) expect([role, (await h.call(role, 'GET', '/v1/users')).statusCode]).toEqual([role, 403]);
    expect((await h.call('manager', 'GET', `/v1/users/${email}`)).statusCode).toBe(200);
    const unknown = await h.call('manager', 'GET', `/v1/users/nobody-${h.tag}@sales.test`);
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'unknown_user']);
  });

  it('answers hostile input with 400 naming the field, and stores nothing', async () => {
    const email = `hostile-${h.tag}@sales.test`;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...body, name: `Evil\r\nBcc: victim@evil.test` }, 'name'],
      [{ ...body, name: 'x'.repeat(201) }, 'name'],
      [{ ...body, name: '\u202egnp.exe' }, 'name'],
      [{ ...body, team: '<img src=x onerror=alert(1)>' }, 'team'],
      [{ ...body, timeZone: 'Asia/Atlantis' }, 'timeZone'],
      [{ ...body, locale: 'xx' }, 'locale'],
      [{ ...body, role: 'admin' }, 'role'],
      [{ ...body, capacity: 1e9 }, 'capacity'],
      [{ ...body, outOfOffice: [{ from: '2026-12-30', to: '2026-12-29' }] }, 'outOfOffice.0.to'],
      [{ ...body, outOfOffice: [{ from: '2026-13-01', to: '2026-12-29' }] }, 'outOfOffice.0.from'],
      [{ ...body, outOfOffice: Array.from({ length: 51 }, () => ({ from: '2026-12-29', to: '2026-12-30' })) }, 'outOfOffice'],
      [{ ...body, outOfOffice: { from: 'now' } }, 'outOfOffice'],
    ];
    for (const [bad, field] of cases) {
      const res = await h.call('ops', 'PUT', `/v1/users/${email}`, bad);
      expect([field, res.statusCode, res.json().error.code]).toEqual([field, 400, 'validation_failed']);
      expect([field, res.json().error.details[0]]).toEqual([field, expect.objectContaining({ in: 'body', field })]);
    }
    for (const path of ['not-an-email', `${'a'.repeat(64)}@${'b'.repeat(190)}.test`, 'a%0D%0Ab@sales.test', '%00@sales.test']) {
      const res = await h.call('ops', 'PUT', `/v1/users/${path}`, body);
      expect([path, res.statusCode, res.json().error.details?.[0]]).toEqual([path, 400, expect.objectContaining({ in: 'params', field: 'email' })]);
      expect([path, (await h.call('ops', 'GET', `/v1/users/${path}`)).statusCode]).toEqual([path, 404]);
    }
    expect((await h.call('ops', 'GET', `/v1/users/${email}`)).statusCode).toBe(404);
  });

  it('lists users by email, filtered, a page at a time', async () => {
    const team = `Paging ${h.tag}`;
    const emails = ['c', 'a', 'B', 'd', 'e'].map((p) => `${p}-${h.tag}@paging.test`);
    for (const email of emails) expect((await h.call('ops', 'PUT', `/v1/users/${email}`, { ...body, team })).statusCode).toBe(201);
    await h.call('ops', 'PUT', `/v1/users/other-${h.tag}@paging.test`, { ...body, team: `Other ${h.tag}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.call('manager', 'GET', `/v1/users?team=${encodeURIComponent(team.toUpperCase())}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((u: { email: string }) => u.email));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor);
    expect([seen, pages]).toEqual([['a', 'B', 'c', 'd', 'e'].map((p) => `${p}-${h.tag}@paging.test`), 3]);
    const managers = (await h.call('ops', 'GET', `/v1/users?role=manager&team=${encodeURIComponent(team)}`)).json();
    expect(managers).toEqual({ items: [], nextCursor: null });
    for (const query of ['limit=501', 'limit=0', 'cursor=garbage', 'role=admin', 'colour=red']) {
      const res = await h.call('ops', 'GET', `/v1/users?${query}`);
      expect([query, res.statusCode, res.json().error.details[0].in]).toEqual([query, 400, 'querystring']);
    }
  });
});
