// Plain data types of the domain. The zod schemas in src/schemas validate the same shapes at the
// boundaries; these stay free of zod so that workflow code (bundled, cached per workflow) stays light.
import type { BusinessHours } from './business-time/calendar';
import type { DurationString } from './duration';
import type { RoutingRule } from './routing';
import type { SendWindow } from './send-window';

export const STAGES = ['nurturing', 'mql', 'working', 'sql', 'recycled', 'disqualified'] as const;
export type Stage = (typeof STAGES)[number];

export const REJECTION_REASONS = [
  'no_budget',
  'no_authority',
  'no_need',
  'bad_timing',
  'unreachable',
  'bad_fit',
  'duplicate',
  'other',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** Why a lead went back to marketing without a rep rejecting it. */
export type SystemRecycleReason = 'sla_expired' | 'qualification_expired' | 'unreachable';

export const CONTACT_CHANNELS = ['call', 'email', 'meeting', 'other'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export type AttributeValue = string | number | boolean | null;
/** Fit attributes only: never the lead's email address or name (they stay in PostgreSQL). */
export type LeadAttributes = Record<string, AttributeValue>;

export interface CampaignStep {
  id: string;
  /** Wait before this step, counted from the previous step (or from enrolment for the first). */
  delay: DurationString;
  /** Handlebars templates (src/mail/templates.ts): subject and body are plain text, html is optional. */
  subject: string;
  body: string;
  html?: string;
}

export interface Campaign {
  id: string;
  version: number;
  name: string;
  steps: CampaignStep[];
  /** Steps for a lead coming back from recycling; the regular steps when absent. */
  recycleSteps?: CampaignStep[];
  /** A step due outside this window waits for its next start (src/domain/send-window.ts). */
  sendWindow?: SendWindow;
}

export interface HandoffPolicy {
  /** Wall-clock ("24h") or, with businessHours, business time ("8bh", "1bd"). */
  sla: DurationString;
  maxReassignments: number;
  qualificationWindow: DurationString;
  recyclePeriod: DurationString;
  bantRequired: number;
  owners: string[];
  manager: string;
  /** The team's hours, for business durations (docs/business-time.md). */
  businessHours?: BusinessHours;
  /** Attempts that do not reach the lead before it is recycled as unreachable (default 3). */
  maxContactAttempts?: number;
  /** Time for the next attempt after one that did not reach the lead, then one reminder (default "1bd", "24h" without businessHours). */
  attemptInterval?: DurationString;
  /** Pools by lead attribute; the first matching rule gives the pool, else `owners` (runs of revision 3 on). */
  routing?: { rules: RoutingRule[] };
}

export interface BehaviorRule {
  id: string;
  event: string;
  where?: Record<string, string | number | boolean>;
  points: number;
  /** Caps what this rule adds (in absolute value) within the behaviour window. */
  maxPoints?: number;
}

export interface FitRule {
  id: string;
  attribute: string;
  equals?: string | number | boolean;
  oneOf?: (string | number)[];
  gte?: number;
  lte?: number;
  /** Case-insensitive regular expression. */
  pattern?: string;
  points: number;
}

export interface ScoringModel {
  id: string;
  version: number;
  fit: FitRule[];
  behavior: BehaviorRule[];
  behaviorWindow: DurationString;
  mql: { threshold: number; requireAnyOf?: string[] };
}

export interface EngagementEvent {
  eventId: string;
  type: string;
  /** ISO-8601 timestamp. */
  occurredAt: string;
  properties?: Record<string, string | number | boolean>;
}

export interface Bant {
  budget: boolean;
  authority: boolean;
  need: boolean;
  timeline: boolean;
}

export const CONTACT_OUTCOMES = ['reached', 'no_answer', 'left_message'] as const;
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];

export interface ContactAction {
  rep: string;
  channel: ContactChannel;
  note?: string;
  /** Absent: 'reached' (a first contact as before attempts existed). */
  outcome?: ContactOutcome;
  /** Who performed the action (the authenticated caller), when known. */
  actor?: string;
}
export interface AcceptAction {
  rep: string;
  bant: Bant;
  note?: string;
  /** Who performed the action (the authenticated caller), when known. */
  actor?: string;
}
export interface RejectAction {
  rep: string;
  reason: RejectionReason;
  note?: string;
  disqualify?: boolean;
  /** Who performed the action (the authenticated caller), when known. */
  actor?: string;
}
