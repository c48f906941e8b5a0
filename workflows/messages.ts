// Signal, update and query definitions: the workflow's public surface, imported by clients too.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LeadConfig } from '../src/domain/lifecycle';
import type { LeadView } from '../src/domain/view';
import type { AcceptAction, ContactAction, EngagementEvent, LeadAttributes, RejectAction } from '../src/domain/types';

/** A behaviour event (open, click, page view...). Already stored in lead_events by the sender. */
export const engagementSignal = defineSignal<[EngagementEvent]>('engagement');
/** New fit attributes for an enrolled lead (re-enrolment merges them). */
export const attributesSignal = defineSignal<[LeadAttributes]>('attributes');
export const unsubscribeSignal = defineSignal<[]>('unsubscribe');
/** Ops cleared the lead's bounce flag (DELETE /v1/leads/:id/bounce): nurture resumes. */
export const clearBounceSignal = defineSignal<[]>('clearBounce');
/** Move to the newest versions of the lead's campaign and models (POST /v1/campaigns/:id/migrate). */
export const migrateSignal = defineSignal<[LeadConfig]>('migrate');

export const contactUpdate = defineUpdate<LeadView, [ContactAction]>('contact');
export const acceptUpdate = defineUpdate<LeadView, [AcceptAction]>('accept');
export const rejectUpdate = defineUpdate<LeadView, [RejectAction]>('reject');

export const getStateQuery = defineQuery<LeadView>('getState');
