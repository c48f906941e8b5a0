// Campaigns and scoring models as immutable versions in PostgreSQL. A PUT stores a new version
// (unless the body equals the current one: PUT stays idempotent); enrolment resolves a campaign id
// to the latest campaign version and the latest version of its scoring model, and the lead keeps them.
import { withTransaction } from '../db/transaction';
import type { Pool, PoolClient } from 'pg';
import type { LeadConfig } from '../domain/lead-state';
import type { Campaign, HandoffPolicy, ScoringModel } from '../domain/types';
import { parseCampaign, parsePolicy } from '../schemas/campaign';
import { parseScoringModel } from '../schemas/scoring-model';
import type { CampaignBody, ScoringModelBody } from './schemas';

type Queryable = Pick<PoolClient, 'query'>;

export interface PutResult {
  id: string;
  version: number;
  /** False when the body equalled the current version, which is returned instead. */
  created: boolean;
}

export interface VersionInfo {
  version: number;
  createdAt: string;
}

export interface StoredScoringModel extends ScoringModel {
  createdAt: string;
}

export interface StoredCampaign {
  id: string;
  version: number;
  name: string;
  scoringModel: string;
  shadowScoringModel?: string;
  steps: Campaign['steps'];
  recycleSteps?: Campaign['steps'];
  sendWindow?: Campaign['sendWindow'];
  policy: HandoffPolicy;
  createdAt: string;
}

export class UnknownCatalogEntryError extends Error {
  constructor(
    readonly kind: 'campaign' | 'scoring model',
    readonly entryId: string,
    readonly field?: string,
  ) {
    super(`no ${kind} with id '${entryId}'`);
    this.name = 'UnknownCatalogEntryError';
  }
}

function inTransaction<T>(pool: Pool, lockKey: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (client) => {
    // Serialises version numbering per entry; two PUTs of one id never race for the same number.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
    return work(client);
  });
}

export async function putScoringModel(pool: Pool, id: string, body: ScoringModelBody): Promise<PutResult> {
  const definition = JSON.stringify(body);
  return inTransaction(pool, `scoring-model:${id}`, async (client) => {
    const { rows } = await client.query<{ version: number; same: boolean }>(
      'SELECT version, definition = $2::jsonb AS same FROM scoring_model_versions WHERE model_id = $1 ORDER BY version DESC LIMIT 1',
      [id, definition],
    );
    if (rows[0]?.same) return { id, version: rows[0].version, created: false };
    const version = (rows[0]?.version ?? 0) + 1;
    await client.query('INSERT INTO scoring_model_versions (model_id, version, definition) VALUES ($1, $2, $3)', [id, version, definition]);
    return { id, version, created: true };
  });
}

export async function putCampaign(pool: Pool, id: string, body: CampaignBody): Promise<PutResult> {
  const { name, scoringModel, shadowScoringModel, policy, ...steps } = body;
  const definition = JSON.stringify(steps);
  const policyJson = JSON.stringify(policy);
  const shadow = shadowScoringModel ?? null;
  return inTransaction(pool, `campaign:${id}`, async (client) => {
    for (const [modelId, field] of [[scoringModel, 'scoringModel'], [shadow, 'shadowScoringModel']] as const) {
      if (modelId === null) continue;
      const model = await client.query('SELECT 1 FROM scoring_model_versions WHERE model_id = $1 LIMIT 1', [modelId]);
      if (model.rowCount === 0) throw new UnknownCatalogEntryError('scoring model', modelId, field);
    }
    const { rows } = await client.query<{ version: number; same: boolean }>(
      `SELECT version, (name = $2 AND scoring_model_id = $3 AND definition = $4::jsonb AND policy = $5::jsonb
                        AND shadow_scoring_model_id IS NOT DISTINCT FROM $6) AS same
         FROM campaign_versions WHERE campaign_id = $1 ORDER BY version DESC LIMIT 1`,
      [id, name, scoringModel, definition, policyJson, shadow],
    );
    if (rows[0]?.same) return { id, version: rows[0].version, created: false };
    const version = (rows[0]?.version ?? 0) + 1;
    await client.query(
      'INSERT INTO campaign_versions (campaign_id, version, name, scoring_model_id, shadow_scoring_model_id, definition, policy) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, version, name, scoringModel, shadow, definition, policyJson],
    );
    return { id, version, created: true };
  });
}

interface ModelRow {
  model_id: string;
  version: number;
  definition: Omit<ScoringModel, 'id' | 'version'>;
  created_at: Date;
}
interface CampaignRow {
  campaign_id: string;
  version: number;
  name: string;
  scoring_model_id: string;
  shadow_scoring_model_id: string | null;
  definition: Pick<Campaign, 'steps' | 'recycleSteps' | 'sendWindow'>;
  policy: HandoffPolicy;
  created_at: Date;
}

const toModel = (row: ModelRow): StoredScoringModel => ({
  ...parseScoringModel({ ...row.definition, id: row.model_id, version: row.version }),
  createdAt: row.created_at.toISOString(),
});
const toCampaign = (row: CampaignRow): StoredCampaign => {
  const campaign = parseCampaign({ ...row.definition, id: row.campaign_id, version: row.version, name: row.name });
  return {
    id: campaign.id,
    version: campaign.version,
    name: campaign.name,
    scoringModel: row.scoring_model_id,
    ...(row.shadow_scoring_model_id ? { shadowScoringModel: row.shadow_scoring_model_id } : {}),
    steps: campaign.steps,
    ...(campaign.recycleSteps ? { recycleSteps: campaign.recycleSteps } : {}),
    ...(campaign.sendWindow ? { sendWindow: campaign.sendWindow } : {}),
    policy: parsePolicy(row.policy),
    createdAt: row.created_at.toISOString(),
  };
};

/** One version (the latest when `version` is absent), or null. */
export async function getScoringModel(db: Queryable, id: string, version?: number): Promise<StoredScoringModel | null> {
  const { rows } = await db.query<ModelRow>(
    `SELECT model_id, version, definition, created_at FROM scoring_model_versions
      WHERE model_id = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
    [id, version ?? null],
  );
  return rows[0] ? toModel(rows[0]) : null;
}

export async function getCampaign(db: Queryable, id: string, version?: number): Promise<StoredCampaign | null> {
  const { rows } = await db.query<CampaignRow>(
    `SELECT campaign_id, version, name, scoring_model_id, shadow_scoring_model_id, definition, policy, created_at FROM campaign_versions
      WHERE campaign_id = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
    [id, version ?? null],
  );
  return rows[0] ? toCampaign(rows[0]) : null;
}

export async function listVersions(db: Queryable, kind: 'campaign' | 'scoring model', id: string): Promise<VersionInfo[]> {
  const sql =
    kind === 'campaign'
      ? 'SELECT version, created_at FROM campaign_versions WHERE campaign_id = $1 ORDER BY version DESC'
      : 'SELECT version, created_at FROM scoring_model_versions WHERE model_id = $1 ORDER BY version DESC';
  const { rows } = await db.query<{ version: number; created_at: Date }>(sql, [id]);
  return rows.map((r) => ({ version: r.version, createdAt: r.created_at.toISOString() }));
}

export interface CatalogEntry {
  id: string;
  version: number;
  name?: string;
  updatedAt: string;
}

export async function listEntries(db: Queryable, kind: 'campaign' | 'scoring model'): Promise<CatalogEntry[]> {
  if (kind === 'campaign') {
    const { rows } = await db.query<{ campaign_id: string; version: number; name: string; created_at: Date }>(
      `SELECT DISTINCT ON (campaign_id) campaign_id, version, name, created_at FROM campaign_versions ORDER BY campaign_id, version DESC`,
    );
    return rows.map((r) => ({ id: r.campaign_id, version: r.version, name: r.name, updatedAt: r.created_at.toISOString() }));
  }
  const { rows } = await db.query<{ model_id: string; version: number; created_at: Date }>(
    `SELECT DISTINCT ON (model_id) model_id, version, created_at FROM scoring_model_versions ORDER BY model_id, version DESC`,
  );
  return rows.map((r) => ({ id: r.model_id, version: r.version, updatedAt: r.created_at.toISOString() }));
}

/** The configuration a lead enrolling in `campaignId` now is pinned to: the latest versions. */
/** The versions a lead is pinned to (its row in leads), to rebuild the exact config it enrolled with. */
export interface PinnedVersions {
  campaignVersion: number;
  modelId: string;
  modelVersion: number;
  shadowModelId?: string | null;
  shadowModelVersion?: number | null;
}

/** The campaign's newest versions (with `pinned`: the versions a lead already runs on). */
export async function resolveLeadConfig(db: Queryable, campaignId: string, pinned?: PinnedVersions): Promise<LeadConfig> {
  const campaign = await getCampaign(db, campaignId, pinned?.campaignVersion);
  if (!campaign) throw new UnknownCatalogEntryError('campaign', campaignId, 'campaignId');
  const modelId = pinned?.modelId ?? campaign.scoringModel;
  const model = await getScoringModel(db, modelId, pinned?.modelVersion);
  if (!model) throw new UnknownCatalogEntryError('scoring model', modelId, 'campaignId');
  const { createdAt: _m, ...pinnedModel } = model;
  let shadowModel: ScoringModel | undefined;
  const shadowId = pinned ? pinned.shadowModelId : campaign.shadowScoringModel;
  if (shadowId) {
    const shadow = await getScoringModel(db, shadowId, pinned?.shadowModelVersion ?? undefined);
    if (!shadow) throw new UnknownCatalogEntryError('scoring model', shadowId, 'campaignId');
    const { createdAt: _s, ...pinnedShadow } = shadow;
    shadowModel = pinnedShadow;
  }
  return {
    campaign: {
      id: campaign.id,
      version: campaign.version,
      name: campaign.name,
      steps: campaign.steps,
      ...(campaign.recycleSteps ? { recycleSteps: campaign.recycleSteps } : {}),
      ...(campaign.sendWindow ? { sendWindow: campaign.sendWindow } : {}),
    },
    policy: campaign.policy,
    model: pinnedModel,
    ...(shadowModel ? { shadowModel } : {}),
  };
}
