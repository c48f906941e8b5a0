// Random but plausible lead histories (as the workflow would write them) for checking the
// pre-aggregated funnel against the direct query, and for the 1M-transition benchmark.
import type { SeedLead, SeedStep } from '../integration/reports-seed';

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface RandomFunnelOptions {
  leads: number;
  campaigns: string[];
  sources: (string | null)[];
  /** First enrolment; events spread over `days` after it. */
  start: Date;
  days: number;
  seed: number;
}

const H = 3_600_000;
const REASONS = ['no_budget', 'bad_timing', 'bad_fit', 'competitor', 'no_response'];
const UTMS = [null, { source: 'google', medium: 'cpc', campaign: 'spring' }, { source: 'linkedin', medium: 'social' }];

export function randomFunnel(o: RandomFunnelOptions): SeedLead[] {
  const r = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const leads: SeedLead[] = [];
  for (let i = 0; i < o.leads; i++) {
    let t = o.start.getTime() + r() * o.days * 24 * H;
    const at = (hours: number) => new Date((t += hours * H));
    const steps: SeedStep[] = [{ reason: 'enrolled', to: 'nurturing', at: new Date(t) }];
    let stage = 'nurturing';
    for (let cycle = 0; cycle < 3 && r() < 0.7; cycle++) {
      if (cycle > 0) steps.push({ reason: 'recycle_period_over', to: 'nurturing', at: at(24 * (5 + r() * 25)) });
      steps.push({ reason: 'mql', to: 'mql', at: at(1 + r() * 24 * 10), owner: 'o1' });
      stage = 'mql';
      let breaches = 0;
      while (breaches < 3 && r() < 0.3) {
        breaches++;
        steps.push({ reason: 'sla_breached', to: 'mql', at: at(24), owner: `o${breaches + 1}` });
      }
      if (breaches === 3 || r() < 0.1) {
        if (breaches === 3) {
          steps.push({ reason: 'sla_expired', to: 'recycled', at: at(1) });
          stage = 'recycled';
          continue;
        }
        break; // still waiting for contact
      }
      steps.push({ reason: 'contacted', to: 'working', at: at(r() * 30), owner: 'o1', details: { channel: 'call', withinSla: breaches === 0 && r() < 0.9 } });
      stage = 'working';
      const outcome = r();
      if (outcome < 0.35) {
        steps.push({ reason: 'accepted', to: 'sql', at: at(r() * 72) });
        stage = 'sql';
        break;
      } else if (outcome < 0.8) {
        steps.push({ reason: 'rejected', to: 'recycled', at: at(r() * 72), rejectionReason: pick(REASONS) });
        stage = 'recycled';
      } else if (outcome < 0.9) {
        steps.push({ reason: 'disqualified', to: 'disqualified', at: at(r() * 72), rejectionReason: pick(REASONS) });
        stage = 'disqualified';
        break;
      } else break;
    }
    leads.push({ name: `R${i}`, campaignId: pick(o.campaigns), source: pick(o.sources), utm: pick(UTMS), stage, steps });
  }
  return leads;
}
