// The `default` campaign and scoring model (src/domain/defaults.ts), stored as version 1 by
// `npm run migrate` when absent. Later versions are made through the API and are never overwritten.
import type { PoolClient } from 'pg';
import { DEFAULT_CAMPAIGN, DEFAULT_MODEL, DEFAULT_POLICY } from '../domain/defaults';

export async function seedCatalog(db: Pick<PoolClient, 'query'>): Promise<string[]> {
  const seeded: string[] = [];
  const { id: modelId, version: _mv, ...model } = DEFAULT_MODEL;
  const m = await db.query(
    `INSERT INTO scoring_model_versions (model_id, version, definition)
     SELECT $1, 1, $2 WHERE NOT EXISTS (SELECT 1 FROM scoring_model_versions WHERE model_id = $1)`,
    [modelId, JSON.stringify(model)],
  );
  if (m.rowCount) seeded.push(`scoring model '${modelId}' v1`);
  const { id: campaignId, version: _cv, name, ...definition } = DEFAULT_CAMPAIGN;
  const c = await db.query(
    `INSERT INTO campaign_versions (campaign_id, version, name, scoring_model_id, definition, policy)
     SELECT $1, 1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM campaign_versions WHERE campaign_id = $1)`,
    [campaignId, name, modelId, JSON.stringify(definition), JSON.stringify(DEFAULT_POLICY)],
  );
  if (c.rowCount) seeded.push(`campaign '${campaignId}' v1`);
  return seeded;
}
