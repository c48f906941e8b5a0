// pickOwner against a real PostgreSQL: the rotation is fair and shared by concurrent workers (the
// counter's row lock), skips owners who are excluded, away or at capacity, and a retried pick
// answers what its first attempt chose without turning the rotation.
import type { Pool } from 'pg';
import { PICK_RETENTION_DAYS, pickOwner, type PickOwnerInput } from '../../src/routing/pick-owner';
import type { UserBody } from '../../src/schemas/user';
import { upsertUser } from '../../src/users/store';
import { testPool, uid } from '../support/harness';

describe('pickOwner', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = testPool();
  });
  afterAll(async () => {
    await pool?.end();
  });

  const at = Date.parse('2026-12-28T02:00:00Z'); // 11:00 in Tokyo
  /** Owners and a campaign of the test's own, so that counters and open leads are its alone. */
  function setup(n = 3) {
    const tag = uid();
    const owners = Array.from({ length: n }, (_, i) => `rep${i}-${tag}@sales.test`);
    let seq = 0;
    const pick = (fields: Partial<PickOwnerInput> = {}) =>
      pickOwner(pool, { pickKey: `${tag}:${seq++}`, campaignId: `c-${tag}`, poolId: 'default', candidates: owners, exclude: [], at, ...fields });
    return { tag, owners, pick };
  }
  const user = (email: string, fields: Partial<UserBody>) => upsertUser(pool, email.toLowerCase(), email, { name: 'Rep', role: 'sales', locale: 'ja', ...fields });
  async function openLead(owner: string, stage: string) {
    const email = `lead-${uid()}@customer.test`;
    await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, campaign_id, campaign_version, scoring_model_id, scoring_model_version, stage, owner)
       VALUES (gen_random_uuid(), $1, $1, 'c', 1, 'm', 1, $2, $3)`,
      [email, stage, owner],
    );
  }

  it('rotates through the candidates, each pool and campaign on its own', async () => {
    const { owners, pick, tag } = setup();
    const picked = [];
    for (let i = 0; i < 4; i++) picked.push((await pick()).owner);
    expect(picked).toEqual([owners[0], owners[1], owners[2], owners[0]]);
    expect((await pick({ poolId: 'enterprise' })).owner).toBe(owners[0]);
    expect((await pick({ campaignId: `other-${tag}` })).owner).toBe(owners[0]);
    expect((await pick()).owner).toBe(owners[1]);
  });

  it('gives concurrent picks different owners, in turn', async () => {
    const { owners, pick } = setup(4);
    const results = await Promise.all([pick(), pick(), pick(), pick()]);
    expect(results.map((r) => r.owner).sort()).toEqual([...owners].sort());
    const pair = setup(2);
    const two = await Promise.all([pair.pick(), pair.pick()]);
    expect(new Set(two.map((r) => r.owner)).size).toBe(2);
  });

  it('skips an owner out of office at the pick, and the next pick starts after the one chosen', async () => {
    const { owners, pick } = setup();
    await user(owners[0]!, { outOfOffice: [{ from: '2026-12-28T01:00:00Z', to: '2026-12-28T03:00:00Z' }] });
    expect(await pick()).toEqual({ owner: owners[1], skipped: [{ owner: owners[0], reason: 'out_of_office' }] });
    // Not owners[1] again: skipping owners[0] did not cost owners[2] its turn.
    expect(await pick()).toEqual({ owner: owners[2], skipped: [] });
    // After the absence owners[0] is back in the rotation.
    expect(await pick({ at: Date.parse('2026-12-28T03:00:00Z') })).toEqual({ owner: owners[0], skipped: [] });
  });

  it('reads a date absence as whole local days in the user zone', async () => {
    const { owners, pick } = setup(2);
    // 2026-12-28 in New York starts at 05:00Z: at 02:00Z the rep is still at work there.
    await user(owners[0]!, { timeZone: 'America/New_York', outOfOffice: [{ from: '2026-12-28', to: '2026-12-28' }] });
    expect((await pick()).owner).toBe(owners[0]);
    const during = Date.parse('2026-12-28T06:00:00Z');
    expect(await pick({ at: during })).toEqual({ owner: owners[1], skipped: [] }); // its turn anyway
    expect(await pick({ at: during })).toEqual({ owner: owners[1], skipped: [{ owner: owners[0], reason: 'out_of_office' }] });
    // The day is included up to its local end, 2026-12-29T05:00Z.
    expect(await pick({ at: Date.parse('2026-12-29T04:59:59Z') })).toMatchObject({ owner: owners[1] });
    expect(await pick({ at: Date.parse('2026-12-29T05:00:00Z') })).toEqual({ owner: owners[0], skipped: [] });
  });

  it('skips an owner at capacity, counting only leads in mql or working, the owner compared case-insensitively', async () => {
    const { owners, pick } = setup(2);
    await user(owners[0]!, { capacity: 2 });
    await openLead(owners[0]!.toUpperCase(), 'mql');
    await openLead(owners[0]!, 'sql');
    await openLead(owners[0]!, 'recycled');
    expect((await pick()).owner).toBe(owners[0]); // one open of two
    await openLead(owners[0]!, 'working');
    expect(await pick({ at })).toEqual({ owner: owners[1], skipped: [] }); // its turn anyway
    expect(await pick()).toEqual({ owner: owners[1], skipped: [{ owner: owners[0], reason: 'at_capacity' }] });
    await user(owners[1]!, { capacity: 0 });
    expect(await pick()).toEqual({ owner: null, skipped: [{ owner: owners[0], reason: 'at_capacity' }, { owner: owners[1], reason: 'at_capacity' }] });
  });

  it('respects exclude, and answers null when nobody is left', async () => {
    const { owners, pick } = setup(2);
    expect(await pick({ exclude: [owners[0]!.toUpperCase()] })).toEqual({ owner: owners[1], skipped: [{ owner: owners[0], reason: 'excluded' }] });
    expect((await pick({ exclude: owners })).owner).toBeNull();
    expect(await pickOwner(pool, { pickKey: `empty-${uid()}`, campaignId: 'c', poolId: 'default', candidates: [], exclude: [], at })).toEqual({ owner: null, skipped: [] });
  });

  it('answers a retried pick key with the first answer and does not turn the rotation', async () => {
    const { owners, pick, tag } = setup();
    const first = await pick({ pickKey: `${tag}:handoff-1` });
    // The retry sees another world (owners[0] now away): the first answer stands.
    await user(owners[0]!, { outOfOffice: [{ from: '2026-01-01', to: '2027-12-31' }] });
    expect(await pick({ pickKey: `${tag}:handoff-1` })).toEqual(first);
    expect(await Promise.all([pick({ pickKey: `${tag}:handoff-2` }), pick({ pickKey: `${tag}:handoff-2` })])).toEqual([
      { owner: owners[1], skipped: [] },
      { owner: owners[1], skipped: [] },
    ]);
    expect(first).toEqual({ owner: owners[0], skipped: [] });
    // Three attempts, two picks: the counter moved twice.
    expect((await pick()).owner).toBe(owners[2]);
    const { rows } = await pool.query('SELECT next FROM routing_counters WHERE campaign_id = $1', [`c-${tag}`]);
    expect(rows).toEqual([{ next: '3' }]);
  });

  it('prunes picks older than the retention a few at a time, keeping recent ones', async () => {
    const { tag, pick } = setup();
    await pool.query(
      `INSERT INTO routing_picks (pick_key, owner, picked_at) SELECT $1 || ':old:' || i, 'x', now() - make_interval(days => $2 + 1) FROM generate_series(1, 5) i`,
      [tag, PICK_RETENTION_DAYS],
    );
    await pool.query(`INSERT INTO routing_picks (pick_key, owner, picked_at) VALUES ($1 || ':recent', 'x', now() - make_interval(days => $2 - 1))`, [tag, PICK_RETENTION_DAYS]);
    await pick();
    const left = await pool.query(`SELECT pick_key FROM routing_picks WHERE starts_with(pick_key, $1 || ':') ORDER BY pick_key`, [tag]);
    expect(left.rows.map((r) => r.pick_key)).toEqual([`${tag}:0`, `${tag}:recent`]);
  });

  it('names the picked owner on the lead in the pick itself, so concurrent handoffs cannot both take a rep\'s last place', async () => {
    const { owners, tag } = setup(2);
    await user(owners[0]!, { capacity: 1 });
    await user(owners[1]!, { capacity: 1 });
    // Two handoffs at once, in one pool: the leads' rows do not name their owners yet.
    const leads = await Promise.all([0, 1, 2].map(async () => (await pool.query(
      `INSERT INTO leads (lead_id, email, email_normalized, campaign_id, campaign_version, scoring_model_id, scoring_model_version, stage)
       VALUES (gen_random_uuid(), $1, $1, 'c', 1, 'm', 1, 'mql') RETURNING lead_id`, [`lead-${uid()}@customer.test`])).rows[0].lead_id as string));
    const pickFor = (leadId: string, assignment = 1) => pickOwner(pool, { pickKey: `${leadId}:0:${assignment}:default:0`, campaignId: `c-${tag}`, poolId: 'default', candidates: owners, exclude: [], at, leadId });
    const results = await Promise.all(leads.map((id) => pickFor(id)));
    expect(results.map((r) => r.owner).filter(Boolean).sort()).toEqual([...owners].sort());
    expect(results.filter((r) => r.owner === null)).toHaveLength(1);
    const owned = await pool.query('SELECT lead_id, owner FROM leads WHERE lead_id = ANY ($1::uuid[])', [leads]);
    expect(Object.fromEntries(owned.rows.map((r) => [r.lead_id, r.owner]))).toEqual(Object.fromEntries(results.map((r, i) => [leads[i], r.owner])));
    // A lead that leaves sales frees its owner's place.
    const [first] = results.map((r, i) => [leads[i]!, r.owner] as const).filter(([, o]) => o === owners[0]);
    const left = results.findIndex((r) => r.owner === null);
    expect((await pickFor(leads[left]!, 2)).owner).toBeNull();
    await pool.query("UPDATE leads SET stage = 'sql' WHERE lead_id = $1", [first![0]]);
    expect((await pickFor(leads[left]!, 3)).owner).toBe(owners[0]);
  });
});
