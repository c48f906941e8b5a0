// What-if re-scoring: the stored event logs of existing leads scored with a candidate model and with
// the model each lead runs on, by the same pure `score` the workflow uses. Leads are read in pages of
// PAGE_SIZE (keyset on lead_id), so a large filter never sits in memory at once.
// It runs on the API's request path, so its work is bounded (WHAT_IF_LIMITS): a request that
// reaches a bound answers what it has with `complete: false`, and scoring yields to the event loop
// every few milliseconds so that other requests (and /healthz) are served meanwhile.
import type { Pool } from 'pg';
import { getScoringModel } from '../catalog/store';
import { score, type ScorableEvent } from '../domain/scoring';
import type { LeadAttributes, ScoringModel, Stage } from '../domain/types';
import { workflowProperties } from '../leads/event-properties';
import { loadScoringTransitions, newestEventsOf, pageLeadsOfModel } from '../leads/store';

export const PAGE_SIZE = 500;
export const MAX_CHANGES_LISTED = 100;

export interface WhatIfLimits {
  /** Leads scored per request. */
  maxLeads: number;
  /** The newest events of a lead that are scored (the start relay also replays at most 500). */
  maxEventsPerLead: number;
  /** Wall time per request; checked between chunks. */
  timeBudgetMs: number;
  /** Scoring time between two yields to the event loop (one lead is never split). */
  yieldEveryMs: number;
}

export const WHAT_IF_LIMITS: WhatIfLimits = { maxLeads: 10_000, maxEventsPerLead: 500, timeBudgetMs: 5_000, yieldEveryMs: 10 };

export interface WhatIfFilter {
  campaignId?: string;
  stage?: Stage;
  /** Only leads enrolled at or after this instant. */
  since?: Date;
}

export interface WhatIfChange {
  leadId: string;
  stage: Stage;
  current: { score: number; isMql: boolean };
  candidate: { score: number; isMql: boolean };
}

/** One sales outcome (accepted, or rejected/disqualified with a reason): how each model scored those handoffs. */
export interface OutcomeComparison {
  outcome: string;
  handoffs: number;
  current: { mql: number; meanScore: number };
  candidate: { mql: number; meanScore: number };
}

export interface WhatIfResult {
  modelId: string;
  asOf: string;
  leadsEvaluated: number;
  /** False when a bound stopped the run before every matching lead was scored. */
  complete: boolean;
  /** Which bound stopped it, if one did. */
  stoppedBy: 'maxLeads' | 'timeBudget' | null;
  /** Leads that have more events than maxEventsPerLead: only their newest ones were scored. */
  leadsWithEventsCut: number;
  /** Leads that are an MQL by score now, with the model they run on vs. with the candidate. */
  mql: { current: number; candidate: number };
  changes: { becomeMql: number; stopBeingMql: number; scoreChanged: number; listed: WhatIfChange[]; truncated: boolean };
  /** Past handoffs that sales accepted or rejected, scored at the moment they became an MQL. */
  outcomes: OutcomeComparison[];
}

/** What the pure comparison needs of one lead: its attributes, events and cycles (from lead_transitions). */
export interface LeadRecord {
  leadId: string;
  stage: Stage;
  attributes: LeadAttributes;
  events: ScorableEvent[];
  /** Start of the current cycle's behaviour (the last return from recycling), if any. */
  behaviorSince?: number;
  /** Handoffs sales decided: the MQL instant, the start of that cycle's behaviour, and the outcome. */
  decided: { mqlAt: number; since?: number; outcome: string }[];
}

/** Accumulates the comparison page by page; `result()` at the end. Pure: no I/O. */
export class WhatIfTally {
  private evaluated = 0;
  private mqlCurrent = 0;
  private mqlCandidate = 0;
  private become = 0;
  private stop = 0;
  private changed = 0;
  private readonly listed: WhatIfChange[] = [];
  private readonly outcomes = new Map<string, { handoffs: number; cur: number; cand: number; curSum: number; candSum: number }>();

  constructor(
    private readonly candidate: ScoringModel,
    private readonly now: number,
  ) {}

  add(lead: LeadRecord, current: ScoringModel): void {
    this.evaluated++;
    const options = lead.behaviorSince === undefined ? {} : { since: lead.behaviorSince };
    const a = score(current, lead.attributes, lead.events, this.now, options);
    const b = score(this.candidate, lead.attributes, lead.events, this.now, options);
    if (a.isMql) this.mqlCurrent++;
    if (b.isMql) this.mqlCandidate++;
    if (!a.isMql && b.isMql) this.become++;
    if (a.isMql && !b.isMql) this.stop++;
    if (a.total !== b.total || a.isMql !== b.isMql) {
      this.changed++;
      if (this.listed.length < MAX_CHANGES_LISTED) {
        this.listed.push({ leadId: lead.leadId, stage: lead.stage, current: { score: a.total, isMql: a.isMql }, candidate: { score: b.total, isMql: b.isMql } });
      }
    }
    for (const d of lead.decided) {
      const at = d.since === undefined ? {} : { since: d.since };
      const x = score(current, lead.attributes, lead.events, d.mqlAt, at);
      const y = score(this.candidate, lead.attributes, lead.events, d.mqlAt, at);
      const o = this.outcomes.get(d.outcome) ?? { handoffs: 0, cur: 0, cand: 0, curSum: 0, candSum: 0 };
      o.handoffs++;
      o.cur += x.isMql ? 1 : 0;
      o.cand += y.isMql ? 1 : 0;
      o.curSum += x.total;
      o.candSum += y.total;
      this.outcomes.set(d.outcome, o);
    }
  }

  result(modelId: string, run: Pick<WhatIfResult, 'stoppedBy' | 'leadsWithEventsCut'> = { stoppedBy: null, leadsWithEventsCut: 0 }): WhatIfResult {
    const mean = (sum: number, n: number) => (n === 0 ? 0 : Math.round((sum / n) * 10) / 10);
    return {
      modelId,
      asOf: new Date(this.now).toISOString(),
      leadsEvaluated: this.evaluated,
      complete: run.stoppedBy === null,
      stoppedBy: run.stoppedBy,
      leadsWithEventsCut: run.leadsWithEventsCut,
      mql: { current: this.mqlCurrent, candidate: this.mqlCandidate },
      changes: { becomeMql: this.become, stopBeingMql: this.stop, scoreChanged: this.changed, listed: this.listed, truncated: this.changed > this.listed.length },
      outcomes: [...this.outcomes.entries()]
        .map(([outcome, o]) => ({
          outcome,
          handoffs: o.handoffs,
          current: { mql: o.cur, meanScore: mean(o.curSum, o.handoffs) },
          candidate: { mql: o.cand, meanScore: mean(o.candSum, o.handoffs) },
        }))
        .sort((p, q) => (p.outcome === 'accepted' ? -1 : q.outcome === 'accepted' ? 1 : q.handoffs - p.handoffs || p.outcome.localeCompare(q.outcome))),
    };
  }
}

/** Lets the event loop run other work (requests, /healthz) before the next chunk of scoring. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Re-scores the leads of model `modelId` that pass the filter, PAGE_SIZE leads read at a time, within
 * `limits` (WHAT_IF_LIMITS by default): the answer says whether it covered them all.
 */
export async function whatIf(
  pool: Pool,
  modelId: string,
  candidate: ScoringModel,
  filter: WhatIfFilter,
  now = Date.now(),
  pageSize = PAGE_SIZE,
  limits: Partial<WhatIfLimits> = {},
): Promise<WhatIfResult> {
  const { maxLeads, maxEventsPerLead, timeBudgetMs, yieldEveryMs } = { ...WHAT_IF_LIMITS, ...limits };
  const started = Date.now();
  let lastYield = started;
  const tally = new WhatIfTally(candidate, now);
  const models = new Map<number, ScoringModel>();
  let after = '00000000-0000-0000-0000-000000000000';
  let considered = 0;
  let leadsWithEventsCut = 0;
  let stoppedBy: WhatIfResult['stoppedBy'] = null;
  pages: for (;;) {
    // One lead more than the bound allows, to know whether the bound cut anything off.
    const want = Math.min(pageSize, maxLeads - considered + 1);
    const leads = await pageLeadsOfModel(pool, modelId, filter, after, want);
    if (leads.length === 0) break;
    if (considered + leads.length > maxLeads) {
      stoppedBy = 'maxLeads';
      leads.length = maxLeads - considered;
      if (leads.length === 0) break;
    }
    after = leads[leads.length - 1]!.lead_id;
    const ids = leads.map((l) => l.lead_id);
    // The newest maxEventsPerLead events of each lead, and one more to tell that some were left out.
    const [events, transitions] = await Promise.all([newestEventsOf(pool, ids, now, maxEventsPerLead + 1), loadScoringTransitions(pool, ids)]);
    const eventsBy = groupBy(events, (e) => e.lead_id);
    const transitionsBy = groupBy(transitions, (t) => t.lead_id);
    for (const lead of leads) {
      if (Date.now() - lastYield >= yieldEveryMs) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
      if (Date.now() - started > timeBudgetMs) {
        stoppedBy = 'timeBudget';
        break pages;
      }
      considered++;
      let model = models.get(lead.scoring_model_version);
      if (!model) {
        model = (await getScoringModel(pool, modelId, lead.scoring_model_version)) ?? undefined;
        if (!model) continue; // a version that no longer exists cannot be compared (versions are never deleted)
        models.set(lead.scoring_model_version, model);
      }
      const rows = eventsBy.get(lead.lead_id) ?? [];
      const kept = rows.filter((e) => Number(e.rn) <= maxEventsPerLead);
      if (kept.length < rows.length) leadsWithEventsCut++;
      tally.add(
        {
          leadId: lead.lead_id,
          stage: lead.stage,
          attributes: lead.attributes ?? {},
          events: kept.map((e) => ({ eventId: e.event_id, type: e.type, at: Number(e.at), properties: workflowProperties(e.properties) })),
          ...cyclesOf(transitionsBy.get(lead.lead_id) ?? []),
        },
        model,
      );
    }
    if (stoppedBy !== null || leads.length < want) break;
  }
  return tally.result(modelId, { stoppedBy, leadsWithEventsCut });
}

/** The current cycle's start and the decided handoffs, from a lead's transitions in order. */
export function cyclesOf(transitions: { cycle: number; reason: string; rejection_reason: string | null; at: string | number }[]): Pick<LeadRecord, 'behaviorSince' | 'decided'> {
  const cycleStart = new Map<number, number>();
  const mqlAt = new Map<number, number>();
  const decided: LeadRecord['decided'] = [];
  let behaviorSince: number | undefined;
  for (const t of transitions) {
    const at = Number(t.at);
    if (t.reason === 'recycle_period_over') {
      cycleStart.set(t.cycle, at);
      behaviorSince = at;
    } else if (t.reason === 'mql') {
      if (!mqlAt.has(t.cycle)) mqlAt.set(t.cycle, at);
    } else {
      const mql = mqlAt.get(t.cycle);
      if (mql === undefined) continue;
      const since = cycleStart.get(t.cycle);
      const outcome = t.reason === 'accepted' ? 'accepted' : `${t.reason}:${t.rejection_reason ?? 'unspecified'}`;
      decided.push({ mqlAt: mql, ...(since === undefined ? {} : { since }), outcome });
      mqlAt.delete(t.cycle);
    }
  }
  return { ...(behaviorSince === undefined ? {} : { behaviorSince }), decided };
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}
