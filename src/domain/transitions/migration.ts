// Migration: a running lead keeps the campaign and model versions it started with until it is moved
// to newer versions of the same campaign (on request, or at the end of a recycle period).
import { isUsableConfig } from '../config-shape';
import { stepsOf } from '../deadlines';
import type { LeadConfig, MigrationTrigger, Transition } from '../lead-state';
import { handOffIfMql } from './handoff';
import { rescore } from './scores';
import type { StepContext } from './step-context';

/** "campaign@v3 model@v2 shadow@v1": what a lead is pinned to. */
type Versioned = { id: string; version: number };

export function versionsOf(config: { campaign: Versioned; model: Versioned; shadowModel?: Versioned | null }): string {
  const shadow = config.shadowModel ? ` shadow ${config.shadowModel.id}@v${config.shadowModel.version}` : '';
  return `campaign ${config.campaign.id}@v${config.campaign.version} model ${config.model.id}@v${config.model.version}${shadow}`;
}

/**
 * Moves the lead to `next` (same campaign, newer versions). Stage and deadlines already running stay;
 * the score is recomputed under the new model. A nurturing lead the new model calls an MQL is handed
 * off now; a lead already handed off stays with sales even if the new score is lower.
 */
export function migrate(ctx: StepContext, next: LeadConfig, trigger: MigrationTrigger, actor?: string): void {
  const from = ctx.config;
  // A hand-made signal that is not a whole configuration is ignored rather than failing the workflow.
  if (!isUsableConfig(next) || next.campaign.id !== from.campaign.id || versionsOf(next) === versionsOf(from)) return;
  continueAtSameStep(ctx, from, next);
  ctx.useConfig(next);
  if (!next.shadowModel) ctx.lead.shadowMqlAt = null;
  rescore(ctx);
  ctx.recordTransition(ctx.lead.stage, 'migrated', { actor, details: migrationDetails(from, next, trigger) });
  handOffIfMql(ctx);
}

/** Continue at the same step (by id) in the new version's steps when it still exists. */
function continueAtSameStep(ctx: StepContext, from: LeadConfig, next: LeadConfig): void {
  const { track, nextStep } = ctx.lead.nurture;
  const pendingId = stepsOf(from.campaign, track)[nextStep]?.id;
  const moved = pendingId === undefined ? -1 : stepsOf(next.campaign, track).findIndex((st) => st.id === pendingId);
  if (moved >= 0) ctx.lead.nurture.nextStep = moved;
}

function migrationDetails(from: LeadConfig, next: LeadConfig, trigger: MigrationTrigger): NonNullable<Transition['details']> {
  return {
    trigger,
    fromCampaignVersion: from.campaign.version,
    toCampaignVersion: next.campaign.version,
    fromModel: `${from.model.id}@v${from.model.version}`,
    toModel: `${next.model.id}@v${next.model.version}`,
    fromShadowModel: shadowModelOf(from),
    toShadowModel: shadowModelOf(next),
    toModelId: next.model.id,
    toModelVersion: next.model.version,
    toShadowModelId: next.shadowModel?.id ?? null,
    toShadowModelVersion: next.shadowModel?.version ?? null,
  };
}

function shadowModelOf(config: LeadConfig): string | null {
  return config.shadowModel ? `${config.shadowModel.id}@v${config.shadowModel.version}` : null;
}
