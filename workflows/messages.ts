// Signal, update and query definitions: the workflow's public surface, imported by clients too.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LeadConfig } from '../src/domain/lead-state';
import type { LeadView } from '../src/domain/view';
import type { AcceptAction, ContactAction, EngagementEvent, LeadAttributes, RejectAction } from '../src/domain/types';

/** A behaviour event (open, click, page view...). Already stored in lead_events by the sender. */
export const engagementSignal = defineSignal<[EngagementEvent]>('engagement');
/** New fit attributes for an enrolled lead (re-enrolment merges them). */
export const attributesSignal = defineSignal<[LeadAttributes]>('attributes');
/** Who sent a signal that records a transition (the API's principal); absent from older senders and the lead's own links. */
export interface SignalledBy {
  actor?: string;
}
/** The actor a signal names, when it is a plausible one (signals are not validated like API bodies). */
export function signalledActor(by: SignalledBy | undefined): { actor?: string } {
  const actor = by?.actor;
  return typeof actor === 'string' && actor.length > 0 && actor.length <= 330 ? { actor } : {};
}
export const unsubscribeSignal = defineSignal<[SignalledBy?]>('unsubscribe');
/** Ops cleared the lead's bounce flag (DELETE /v1/leads/:id/bounce): nurture resumes. */
export const clearBounceSignal = defineSignal<[SignalledBy?]>('clearBounce');
/** Catalog versions by name only: the workflow loads their content from the catalog itself. */
export interface CatalogVersions {
  campaign: { id: string; version: number };
  model: { id: string; version: number };
  shadowModel: { id: string; version: number } | null;
}
/** Move to these versions of the lead's own campaign and models (POST /v1/campaigns/:id/migrate). */
export const migrateToSignal = defineSignal<[CatalogVersions, SignalledBy?]>('migrateTo');
/**
 * Superseded by migrateTo: it carried the configuration itself, so anyone able to signal the
 * workflow could have made it send text of their own. Runs ignore it from patch
 * `migrate-by-reference` on; histories from before replay as recorded.
 */
export const migrateSignal = defineSignal<[LeadConfig]>('migrate');

export const contactUpdate = defineUpdate<LeadView, [ContactAction]>('contact');
export const acceptUpdate = defineUpdate<LeadView, [AcceptAction]>('accept');
export const rejectUpdate = defineUpdate<LeadView, [RejectAction]>('reject');

export const getStateQuery = defineQuery<LeadView>('getState');

/**
 * Move a run of an older revision (workflows/revision.ts) onto the newest code: it continues as new
 * once its commands are done. Runs already on the newest revision ignore it (docs/operations.md).
 */
export const upgradeSignal = defineSignal<[]>('upgrade');
/** The run's revision (workflows/revision.ts), for `leadloop runs`. */
export const runRevisionQuery = defineQuery<number>('runRevision');
