// A configuration that arrived from outside the core (a signal, a stored run) is checked for shape
// before the reducer uses it.
import type { BusinessHours } from './business-time/calendar';
import { isBusinessDuration, parseBusinessDuration } from './business-time/durations';
import { durationMs } from './duration';
import type { LeadConfig } from './lead-state';
import type { ScoringModel } from './types';

/** Structural check of a configuration that arrived in a signal (the API sends validated ones). */
export function isUsableConfig(value: unknown): value is LeadConfig {
  const c = value as Partial<LeadConfig> | null;
  const model = (m: unknown): boolean => {
    const x = m as Partial<ScoringModel> | null;
    return !!x && typeof x.id === 'string' && typeof x.version === 'number' && Array.isArray(x.fit) && Array.isArray(x.behavior) && isDurationLike(x.behaviorWindow) && typeof x.mql?.threshold === 'number';
  };
  return (
    !!c &&
    typeof c.campaign?.id === 'string' &&
    typeof c.campaign.version === 'number' &&
    Array.isArray(c.campaign.steps) &&
    c.campaign.steps.every((st) => typeof st?.id === 'string' && isDurationLike(st.delay)) &&
    (c.campaign.recycleSteps === undefined || (Array.isArray(c.campaign.recycleSteps) && c.campaign.recycleSteps.every((st) => typeof st?.id === 'string' && isDurationLike(st.delay)))) &&
    !!c.policy &&
    Array.isArray(c.policy.owners) &&
    [c.policy.sla, c.policy.qualificationWindow].every((d) => isPolicyDuration(d, c.policy?.businessHours)) &&
    isDurationLike(c.policy.recyclePeriod) &&
    model(c.model) &&
    (c.shadowModel === undefined || model(c.shadowModel))
  );
}

/** A wall-clock duration, or business time when the policy has business hours to count it in. */
function isPolicyDuration(value: unknown, hours: BusinessHours | undefined): boolean {
  if (typeof value === 'string' && parseBusinessDuration(value) !== null) return hours !== undefined && isBusinessDuration(value);
  return isDurationLike(value);
}

function isDurationLike(value: unknown): boolean {
  if (typeof value !== 'string' && typeof value !== 'number') return false;
  try {
    durationMs(value);
    return true;
  } catch {
    return false;
  }
}
