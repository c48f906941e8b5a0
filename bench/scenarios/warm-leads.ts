// Leads one pricing-page view away from MQL, for scenarios 3 and 4: enrolled through the API, warmed
// with one bench_warm event, and settled (welcome email sent, score visible) before timing starts.
import { CAMPAIGNS, WARM_POINTS } from '../catalog';
import { countReaches, enrolThroughApi, postBatches, type Context } from './common';

export async function warmLeads(ctx: Context, tag: string, count: number, campaignId: (typeof CAMPAIGNS)['reaction' | 'sla']): Promise<string[]> {
  const { leadIds } = await enrolThroughApi(ctx, tag, count, campaignId, 20);
  await postBatches(ctx, leadIds.map((leadId) => ({ leadId, type: 'bench_warm' })));
  await countReaches(ctx, `CampaignId = '${campaignId}' AND LeadScore >= ${WARM_POINTS}`, count);
  return leadIds;
}
