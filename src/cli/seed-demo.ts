// `leadloop seed-demo`: a demo scoring model and campaign with three owners and a manager, and a
// few hundred leads (Japanese and English names) with behaviour events, so that the Temporal UI, the
// API and reports have something to show. Deterministic: running it again adds nothing.
import { putCampaign, putScoringModel } from '../catalog/store';
import { campaignBodySchema } from '../catalog/schemas';
import { resolveLeadConfig } from '../catalog/store';
import { DEFAULT_MODEL } from '../domain/defaults';
import type { IntakeDeps } from '../leads/deps';
import { enrollLead } from '../leads/enrol';
import { recordEvent } from '../leads/record-events';
import type { Progress, ProgressCounts } from './progress';

export const DEMO_CAMPAIGN = 'demo';
export const DEMO_MODEL = 'demo';
export const DEMO_OWNERS = ['aiko.sato@sales.demo.example', 'ben.miller@sales.demo.example', 'kenji.ito@sales.demo.example'];
export const DEMO_MANAGER = 'manager@sales.demo.example';

const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', 'Smith', 'Garcia', 'Müller', 'Nguyen', 'Johnson', 'Kim'];
const GIVEN = ['花子', '太郎', '美咲', '健太', 'Emma', 'Liam', 'Sofia', 'Noah', '陽菜', '翔'];
const COMPANIES = [
  ['株式会社サクラ精機', 'sakura-seiki'],
  ['青空ソフト株式会社', 'aozora-soft'],
  ['Northwind Traders', 'northwind'],
  ['Contoso Ltd', 'contoso'],
  ['Fabrikam Inc', 'fabrikam'],
  ['株式会社みらい物流', 'mirai-logi'],
  ['Globex Corporation', 'globex'],
  ['Initech', 'initech'],
] as const;
const TITLES = ['情報システム部長', 'IT Director', 'Engineer', 'マーケティング担当', 'VP Sales', 'Analyst', 'CTO', '営業部長', 'Student', 'Office Manager'];
const SOURCES = ['webinar', 'website', 'trade-show', 'referral', 'ads'];

/** A small deterministic generator, so every run makes the same demo data. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface SeedResult {
  campaign: { id: string; version: number };
  leads: number;
  created: number;
  events: number;
  /** The email of the first demo lead, to try `leadloop lead` with. */
  sampleEmail: string;
}

export async function seedDemo(deps: IntakeDeps, options: { leads: number; concurrency?: number; progress?: Progress }): Promise<SeedResult> {
  const { id: _id, version: _v, ...model } = DEFAULT_MODEL;
  await putScoringModel(deps.pool, DEMO_MODEL, model);
  const body = campaignBodySchema.parse({
    name: 'Demo nurture (seed-demo)',
    scoringModel: DEMO_MODEL,
    steps: [
      { id: 'welcome', delay: '0s', subject: 'ようこそ、{{name}}さん / Welcome, {{name}}', body: 'Hello {{name}},\n\nThanks for your interest. A case study: https://example.com/case-study' },
      { id: 'case-study', delay: '2d', subject: 'How teams like {{company}} work with us', body: 'Hello {{name}},\n\nHere is how others work with us.' },
      { id: 'pricing', delay: '5d', subject: 'Plans and pricing', body: 'Hello {{name}},\n\nOur plans: https://example.com/pricing' },
    ],
    policy: { sla: '4h', owners: DEMO_OWNERS, manager: DEMO_MANAGER, recyclePeriod: '14d' },
  });
  await putCampaign(deps.pool, DEMO_CAMPAIGN, body);
  const config = await resolveLeadConfig(deps.pool, DEMO_CAMPAIGN);

  const counts: ProgressCounts = { done: 0, total: options.leads, created: 0, existing: 0, invalid: 0, failed: 0 };
  let events = 0;
  let sampleEmail = '';
  let next = 0;
  const now = Date.now();
  const one = async (i: number) => {
    const rnd = random(i + 1);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    const [company, domain] = pick(COMPANIES);
    const family = pick(FAMILY);
    const given = pick(GIVEN);
    const japanese = /[^\x00-\x7f]/.test(family + given);
    const email = `demo-${String(i + 1).padStart(4, '0')}@${domain}.example`;
    if (i === 0) sampleEmail = email;
    const result = await enrollLead(
      deps,
      {
        email,
        name: japanese ? `${family} ${given}` : `${given} ${family}`,
        company,
        title: pick(TITLES),
        employees: pick([3, 20, 80, 250, 800, 3000]),
        source: pick(SOURCES),
        campaignId: DEMO_CAMPAIGN,
      },
      config,
    );
    if (result.created) counts.created++;
    else counts.existing++;
    // Behaviour: most open an email, some read a case study or the pricing page, a few ask for a demo.
    const planned: { type: string; properties?: Record<string, string> }[] = [];
    for (let k = Math.floor(rnd() * 4); k > 0; k--) planned.push({ type: 'email_open' });
    if (rnd() < 0.35) planned.push({ type: 'page_view', properties: { page: 'case-study' } });
    if (rnd() < 0.4) planned.push({ type: 'page_view', properties: { page: 'pricing' } });
    if (rnd() < 0.2) planned.push({ type: 'content_download', properties: { asset: 'whitepaper' } });
    if (rnd() < 0.15) planned.push({ type: 'demo_request' });
    for (const [k, event] of planned.entries()) {
      const occurredAt = new Date(now - Math.floor(rnd() * 7 * 86_400_000)).toISOString();
      const r = await recordEvent(deps, result.leadId, { eventId: `seed-demo-${i + 1}-${k + 1}`, occurredAt, ...event });
      if (!r.duplicate) events++;
    }
    counts.done++;
    options.progress?.update(counts);
  };
  const lane = async () => {
    while (next < options.leads) await one(next++);
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 16, options.leads) }, lane));
  options.progress?.finish(counts);
  return { campaign: { id: config.campaign.id, version: config.campaign.version }, leads: options.leads, created: counts.created, events, sampleEmail };
}
