// What ops see of a lead in the Temporal Web UI: its current details after every step, and the
// search attributes that changed (none carries personal data).
import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { LeadConfig, LeadState } from '../src/domain/lead-state';
import { detailsMarkdown } from '../src/domain/view';
import { CampaignId, LeadOwner, LeadScore, LeadStage, MqlAt, ScoringModel, scoringModelValue, ShadowScore, SlaDeadline } from './search-attributes';

type Published = Record<string, unknown>;

export class Publication {
  private published: Published = {};

  /** `searchAttributes` is false against a server without them (the time-skipping test server). */
  constructor(private readonly searchAttributes: boolean) {}

  /** A run the intake started with its first search attributes: only what changes beyond them is upserted. */
  startedWithAttributes(): void {
    const initial = workflowInfo().typedSearchAttributes;
    this.published = { stage: initial.get(LeadStage), score: initial.get(LeadScore), owner: null, mqlAt: null, slaDeadline: null };
  }

  /** A run started without them (a restart, or a continue-as-new) names its campaign and model first. */
  campaign(config: LeadConfig): void {
    if (!this.searchAttributes) return;
    upsertSearchAttributes([
      { key: CampaignId, value: config.campaign.id },
      { key: ScoringModel, value: scoringModelValue(config.model) },
    ]);
  }

  /** The lead moved to other catalog versions. */
  model(config: LeadConfig): void {
    if (this.searchAttributes) upsertSearchAttributes([{ key: ScoringModel, value: scoringModelValue(config.model) }]);
  }

  publish(state: LeadState, config: LeadConfig): void {
    setCurrentDetails(detailsMarkdown(state));
    if (!this.searchAttributes) return;
    const next = valuesOf(state, config);
    const pairs = changedPairs(this.published, next, state);
    if (pairs.length) upsertSearchAttributes(pairs);
    this.published = next;
  }
}

function valuesOf(state: LeadState, config: LeadConfig): Published {
  return {
    stage: state.stage,
    score: state.score.total,
    owner: state.owner,
    mqlAt: state.mqlAt,
    slaDeadline: state.slaDeadline,
    // Only leads with a shadow model have the key, so other histories see no new command.
    ...(config.shadowModel ? { shadowScore: state.shadowScore?.total ?? 0 } : {}),
  };
}

function changedPairs(published: Published, next: Published, state: LeadState): SearchAttributeUpdatePair[] {
  const changed = (k: string) => published[k] !== next[k];
  const date = (ms: number | null) => (ms === null ? null : new Date(ms));
  const pairs: SearchAttributeUpdatePair[] = [];
  if (changed('stage')) pairs.push({ key: LeadStage, value: state.stage });
  if (changed('score')) pairs.push({ key: LeadScore, value: state.score.total });
  if (changed('owner')) pairs.push({ key: LeadOwner, value: state.owner });
  if (changed('mqlAt')) pairs.push({ key: MqlAt, value: date(state.mqlAt) });
  if (changed('slaDeadline')) pairs.push({ key: SlaDeadline, value: date(state.slaDeadline) });
  if (changed('shadowScore')) pairs.push({ key: ShadowScore, value: 'shadowScore' in next ? (next.shadowScore as number) : null });
  return pairs;
}
