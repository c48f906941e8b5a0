// Moving a campaign's running leads to its newest versions on request (POST /v1/campaigns/:id/migrate).
// Each lead's workflow gets a `migrateTo` signal naming the newest versions; it loads them from the
// catalog itself and the reducer applies them (or ignores them when the lead already runs those
// versions), so calling this twice is harmless.
import { getCampaign, resolveLeadConfig, UnknownCatalogEntryError } from '../catalog/store';
import type { LeadConfig } from '../domain/lead-state';
import type { CatalogVersions, SignalledBy } from '../../workflows/messages';
import type { IntakeDeps } from './deps';
import { leadsBehindVersions } from './store';
import { signalMigrateTo } from './workflow-client';

export interface MigrationResult {
  campaignId: string;
  to: { campaignVersion: number; scoringModel: { id: string; version: number }; shadowScoringModel: { id: string; version: number } | null };
  /** Leads whose workflow was signalled. */
  signalled: number;
  /** Leads listed as running whose workflow had already ended (nothing to migrate). */
  notRunning: number;
}

/** Signals sent at once; enough to keep Temporal busy without flooding it. */
const CONCURRENCY = 16;

export async function migrateCampaignLeads(deps: Pick<IntakeDeps, 'pool' | 'client'>, campaignId: string, by: SignalledBy = {}): Promise<MigrationResult> {
  if (!(await getCampaign(deps.pool, campaignId))) throw new UnknownCatalogEntryError('campaign', campaignId);
  const config: LeadConfig = await resolveLeadConfig(deps.pool, campaignId);
  const shadow = config.shadowModel ?? null;
  const leadIds = await leadsBehindVersions(deps.pool, campaignId, config);
  const versions: CatalogVersions = {
    campaign: { id: config.campaign.id, version: config.campaign.version },
    model: { id: config.model.id, version: config.model.version },
    shadowModel: shadow ? { id: shadow.id, version: shadow.version } : null,
  };
  let signalled = 0;
  let notRunning = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < leadIds.length; i = next++) {
      if (await signalMigrateTo(deps.client, leadIds[i]!, versions, by)) signalled += 1;
      else notRunning += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, leadIds.length) }, worker));
  return {
    campaignId,
    to: { campaignVersion: versions.campaign.version, scoringModel: versions.model, shadowScoringModel: versions.shadowModel },
    signalled,
    notRunning,
  };
}
