// The bench's campaigns and scoring models, created through the API's catalog routes like a user would.
import type { Stack } from './stack';

export const CAMPAIGNS = {
  /** Scenarios 1, 2, 5: leads wait in nurture (next step in 30 days); every bench_ping scores 1. */
  nurture: 'bench-nurture',
  /** Scenario 3: one pricing view takes a warmed-up lead over the MQL threshold (SLA 24h). */
  reaction: 'bench-reaction',
  /** Scenario 4: the same, with a short SLA and no reassignment: one escalation per lead. */
  sla: 'bench-sla',
} as const;

export const WARM_POINTS = 60;

const steps = [
  { id: 'welcome', delay: '0s', subject: 'ようこそ、{{name}}さん', body: 'こんにちは {{name}} さん。{{company}} のご担当者様へ。\n\nhttps://example.com/case-study' },
  { id: 'follow-up', delay: '30d', subject: 'Plans and pricing', body: 'Hello {{name}},\n\nhttps://example.com/pricing' },
];

export async function createBenchCatalog(stack: Stack): Promise<void> {
  await stack.api('PUT', '/v1/scoring-models/bench-ping', {
    behavior: [{ id: 'ping', event: 'bench_ping', points: 1 }],
    mql: { threshold: 100_000 },
  });
  await stack.api('PUT', '/v1/scoring-models/bench-intent', {
    behavior: [
      { id: 'warm', event: 'bench_warm', points: WARM_POINTS },
      { id: 'pricing', event: 'page_view', where: { page: 'pricing' }, points: 15 },
      { id: 'ping', event: 'bench_ping', points: 1 },
    ],
    mql: { threshold: 70, requireAnyOf: ['pricing'] },
  });
  const owners = ['rep1@sales.bench.test', 'rep2@sales.bench.test', 'rep3@sales.bench.test'];
  await stack.api('PUT', `/v1/campaigns/${CAMPAIGNS.nurture}`, { name: 'Bench nurture', scoringModel: 'bench-ping', steps, policy: { owners } });
  await stack.api('PUT', `/v1/campaigns/${CAMPAIGNS.reaction}`, { name: 'Bench reaction', scoringModel: 'bench-intent', steps, policy: { owners, sla: '24h' } });
  await stack.api('PUT', `/v1/campaigns/${CAMPAIGNS.sla}`, {
    name: 'Bench SLA',
    scoringModel: 'bench-intent',
    steps,
    policy: { owners, sla: `${stack.settings.slaSeconds}s`, maxReassignments: 0, manager: 'manager@sales.bench.test' },
  });
}
