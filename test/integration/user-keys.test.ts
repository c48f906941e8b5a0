// Named users over HTTP: ops issue and revoke a user's own key; with it the acting rep is the user,
// a sales user acts on and lists only their own leads, a manager the team's, and every sales action
// records its actor (user email, or service:<role> for a role key of API_KEYS).
import { eventually } from '../support/harness';
import { startApiHarness, type ApiHarness, type Reply } from './api-support';

describe('user keys and authorization', () => {
  let h: ApiHarness;
  const users = () => ({
    rep: `rep-${h.tag}@sales.test`,
    other: `other-${h.tag}@sales.test`,
    manager: `boss-${h.tag}@sales.test`,
    outsider: `outsider-${h.tag}@sales.test`,
  });
  const keys: Record<string, string> = {};
  let campaignId: string;

  const as = (who: string, method: string, url: string, body?: unknown): Promise<Reply> => h.call(null, method, url, body, { authorization: `Bearer ${keys[who]}` });

  beforeAll(async () => {
    h = await startApiHarness('user-keys');
    const u = users();
    const team = `East ${h.tag}`;
    for (const [email, role, userTeam] of [[u.rep, 'sales', team], [u.other, 'sales', team], [u.manager, 'manager', team], [u.outsider, 'manager', `West ${h.tag}`]] as const) {
      expect((await h.call('ops', 'PUT', `/v1/users/${email}`, { name: email.split('@')[0], role, team: userTeam, locale: 'en' })).statusCode).toBe(201);
      const issued = await h.call('ops', 'POST', `/v1/users/${email}/keys`);
      expect(issued.statusCode).toBe(201);
      keys[email] = issued.json().apiKey;
    }
    campaignId = `campaign-${h.tag}`;
    const campaign = {
      name: 'keys',
      scoringModel: 'default',
      steps: [{ id: 'welcome', delay: '0s', subject: 'Welcome', body: 'Hello' }],
      // One owner only, so that every handoff goes to the rep.
      policy: { sla: '1h', owners: [u.rep], manager: u.manager },
    };
    expect((await h.call('marketing', 'PUT', `/v1/campaigns/${campaignId}`, campaign)).statusCode).toBe(201);
  });
  afterAll(async () => h?.stop());

  async function mqlLead(name: string): Promise<string> {
    const enrolled = await h.call('marketing', 'POST', '/v1/leads', { email: `${name}-${h.tag}@customer.test`, name, title: 'Director of IT', campaignId });
    const { leadId } = enrolled.json();
    for (const event of [{ type: 'page_view', properties: { page: 'pricing' } }, { type: 'demo_request' }]) {
      expect((await h.call('marketing', 'POST', `/v1/leads/${leadId}/events`, event)).statusCode).toBe(202);
    }
    await eventually(async () => expect((await h.call('ops', 'GET', `/v1/leads/${leadId}`)).json()).toMatchObject({ stage: 'mql', owner: users().rep }));
    return leadId;
  }

  it('issues a key shown once, lists it without the secret, and revokes it at once', async () => {
    const u = users();
    const issued = await h.call('ops', 'POST', `/v1/users/${u.other}/keys`);
    const { keyId, apiKey } = issued.json();
    expect(apiKey).toMatch(/^llu_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const listed = (await h.call('ops', 'GET', `/v1/users/${u.other}/keys`)).json();
    expect(listed.items.map((k: { keyId: string }) => k.keyId)).toContain(keyId);
    expect(JSON.stringify(listed)).not.toContain(apiKey.slice(21));
    const stored = await h.pool.query('SELECT digest FROM user_api_keys WHERE key_id = $1', [keyId]);
    expect(stored.rows[0].digest.toString('hex')).not.toContain(Buffer.from(apiKey).toString('hex'));

    const use = () => h.call(null, 'GET', '/v1/leads?limit=1', undefined, { authorization: `Bearer ${apiKey}` });
    expect((await use()).statusCode).toBe(200);
    expect((await h.call('ops', 'DELETE', `/v1/users/${u.other}/keys/${keyId}`)).statusCode).toBe(204);
    const after = await use();
    expect([after.statusCode, after.json().error.code]).toEqual([401, 'unauthorized']);
    expect((await h.call('ops', 'DELETE', `/v1/users/${u.other}/keys/${keyId}`)).json().error.code).toBe('unknown_key');
    // A forged key of the right shape, and keys for nobody, are refused.
    const forged = `${apiKey.slice(0, 21)}${'A'.repeat(43)}`;
    expect((await h.call(null, 'GET', '/v1/leads', undefined, { authorization: `Bearer ${forged}` })).statusCode).toBe(401);
    expect((await h.call('ops', 'POST', `/v1/users/nobody-${h.tag}@sales.test/keys`)).json().error.code).toBe('unknown_user');
    for (const role of ['marketing', 'sales', 'manager'] as const) expect((await h.call(role, 'POST', `/v1/users/${u.rep}/keys`)).statusCode).toBe(403);
  });

  it('a sales user acts as themself, only on their own leads, and the transition records them as actor', async () => {
    const u = users();
    const leadId = await mqlLead('own');
    // The SLA board shows the handoff to its owner only.
    expect((await as(u.rep, 'GET', '/v1/reports/sla')).json().entries.map((e: { leadId: string }) => e.leadId)).toContain(leadId);
    expect((await as(u.other, 'GET', '/v1/reports/sla')).json().entries.map((e: { leadId: string }) => e.leadId)).not.toContain(leadId);
    expect((await as(u.other, 'GET', `/v1/reports/sla?owner=${u.rep}`)).statusCode).toBe(403);
    const other = await as(u.other, 'POST', `/v1/leads/${leadId}/contact`, { channel: 'call' });
    expect([other.statusCode, other.json().error.code]).toEqual([403, 'not_owner']);
    const impersonate = await as(u.rep, 'POST', `/v1/leads/${leadId}/contact`, { rep: u.other, channel: 'call' });
    expect([impersonate.statusCode, impersonate.json().error.code]).toEqual([403, 'rep_mismatch']);
    expect((await h.call('ops', 'GET', `/v1/leads/${leadId}`)).json().stage).toBe('mql');

    const contacted = await as(u.rep, 'POST', `/v1/leads/${leadId}/contact`, { channel: 'call', outcome: 'reached' });
    expect([contacted.statusCode, contacted.json().stage]).toEqual([200, 'working']);
    const detail = await eventually(async () => {
      const lead = (await as(u.rep, 'GET', `/v1/leads/${leadId}`)).json();
      expect(lead.transitions.at(-1)).toMatchObject({ reason: 'contacted', rep: u.rep, actor: u.rep });
      return lead;
    });
    expect(detail.transitions.find((t: { reason: string }) => t.reason === 'mql').actor).toBeNull();
    expect((await as(u.other, 'GET', `/v1/leads/${leadId}`)).json().error.code).toBe('not_owner');

    const mine = (await as(u.rep, 'GET', '/v1/leads?limit=100')).json().items;
    expect(mine.map((l: { leadId: string }) => l.leadId)).toContain(leadId);
    expect(mine.every((l: { owner: string }) => l.owner === u.rep)).toBe(true);
    expect((await as(u.other, 'GET', '/v1/leads?limit=100')).json().items.map((l: { leadId: string }) => l.leadId)).not.toContain(leadId);
    expect((await as(u.other, 'GET', `/v1/leads?owner=${u.rep}`)).json().error.code).toBe('not_owner');
  });

  it("a manager acts on the team's leads only; role keys act on any lead naming the rep, recorded as service", async () => {
    const u = users();
    const leadId = await mqlLead('team');
    const outsider = await as(u.outsider, 'POST', `/v1/leads/${leadId}/contact`, { channel: 'call' });
    expect([outsider.statusCode, outsider.json().error.code]).toEqual([403, 'not_in_team']);
    expect((await as(u.manager, 'GET', '/v1/leads?limit=100')).json().items.map((l: { leadId: string }) => l.leadId)).toContain(leadId);
    expect((await as(u.outsider, 'GET', '/v1/leads?limit=100')).json().items.map((l: { leadId: string }) => l.leadId)).not.toContain(leadId);
    expect((await as(u.manager, 'POST', `/v1/leads/${leadId}/contact`, { channel: 'email', outcome: 'reached' })).statusCode).toBe(200);

    const noRep = await h.call('sales', 'POST', `/v1/leads/${leadId}/accept`, { bant: { budget: true, authority: true, need: true, timeline: true } });
    expect([noRep.statusCode, noRep.json().error.details]).toEqual([400, [{ in: 'body', field: 'rep', message: 'required' }]]);
    const accepted = await h.call('sales', 'POST', `/v1/leads/${leadId}/accept`, { rep: u.rep, bant: { budget: true, authority: true, need: true, timeline: true } });
    expect([accepted.statusCode, accepted.json().stage]).toEqual([200, 'sql']);
    await eventually(async () => {
      const { rows } = await h.pool.query('SELECT reason, rep, actor FROM lead_transitions WHERE lead_id = $1 AND reason IN ($2, $3) ORDER BY seq', [leadId, 'contacted', 'accepted']);
      expect(rows).toEqual([
        { reason: 'contacted', rep: u.manager, actor: u.manager },
        { reason: 'accepted', rep: u.rep, actor: 'service:sales' },
      ]);
    });
  });

  it('records who unsubscribed a lead through the API', async () => {
    const { leadId } = (await h.call('marketing', 'POST', '/v1/leads', { email: `optout-${h.tag}@customer.test`, campaignId })).json();
    expect((await h.call('marketing', 'POST', `/v1/leads/${leadId}/unsubscribe`)).statusCode).toBeLessThan(300);
    await eventually(async () => {
      const { rows } = await h.pool.query("SELECT actor FROM lead_transitions WHERE lead_id = $1 AND reason = 'unsubscribed'", [leadId]);
      expect(rows).toEqual([{ actor: 'service:marketing' }]);
    });
  });
});
