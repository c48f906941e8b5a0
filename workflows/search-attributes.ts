// Custom search attributes for ops in the Temporal Web UI. None carries personal data.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const LeadStage = defineSearchAttributeKey('LeadStage', SearchAttributeType.KEYWORD);
export const LeadScore = defineSearchAttributeKey('LeadScore', SearchAttributeType.INT);
export const LeadOwner = defineSearchAttributeKey('LeadOwner', SearchAttributeType.KEYWORD);
export const CampaignId = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const ScoringModel = defineSearchAttributeKey('ScoringModel', SearchAttributeType.KEYWORD);
export const MqlAt = defineSearchAttributeKey('MqlAt', SearchAttributeType.DATETIME);
export const SlaDeadline = defineSearchAttributeKey('SlaDeadline', SearchAttributeType.DATETIME);
/** The shadow model's score (campaigns with a shadowScoringModel only). */
export const ShadowScore = defineSearchAttributeKey('ShadowScore', SearchAttributeType.INT);

/** The ScoringModel value: `id@vN`. */
export const scoringModelValue = (model: { id: string; version: number }): string => `${model.id}@v${model.version}`;

/** Registered with the dev server at start (and in docker-compose). */
export const ALL_SEARCH_ATTRIBUTES = [LeadStage, LeadScore, LeadOwner, CampaignId, ScoringModel, MqlAt, SlaDeadline, ShadowScore];
