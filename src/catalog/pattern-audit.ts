// Stored scoring-model versions whose fit patterns the scoring engine (RE2) refuses: saved before
// patterns were checked, they stay readable, but such a rule matches nothing. `npm run migrate`
// reports them so that marketing can store a version that works.
import type { PoolClient } from 'pg';
import { checkPattern } from '../domain/pattern';

export interface RefusedPattern {
  modelId: string;
  version: number;
  /** The rule's path in the model, as the API names it: `fit.3.pattern`. */
  field: string;
  reason: string;
}

export async function refusedPatterns(db: Pick<PoolClient, 'query'>): Promise<RefusedPattern[]> {
  const { rows } = await db.query<{ model_id: string; version: number; fit: { pattern?: unknown }[] | null }>(
    `SELECT model_id, version, definition->'fit' AS fit FROM scoring_model_versions
      WHERE jsonb_path_exists(definition, '$.fit[*].pattern') ORDER BY model_id, version`,
  );
  const refused: RefusedPattern[] = [];
  for (const row of rows) {
    for (const [i, rule] of (Array.isArray(row.fit) ? row.fit : []).entries()) {
      if (typeof rule?.pattern !== 'string') continue;
      const check = checkPattern(rule.pattern);
      if (!check.ok) refused.push({ modelId: row.model_id, version: row.version, field: `fit.${i}.pattern`, reason: check.reason });
    }
  }
  return refused;
}
