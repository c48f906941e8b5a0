// leadWorkflow: one per lead, for the lead's whole life. It hands Temporal's messages to the lead's
// run and waits for the next deadline; the run lets the pure core decide (src/domain/lifecycle) and
// starts what it decides (workflows/lead-run.ts).
import { continueAsNew, setHandler } from '@temporalio/workflow';
import { LeadRun, type LeadOutcome, type LeadWorkflowInput } from './lead-run';
import * as messages from './messages';

export type { LeadOutcome, LeadWorkflowInput } from './lead-run';

export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadOutcome> {
  const lead = new LeadRun(input);
  // Enrol first: the attributes signal that came with the start is handled after it.
  lead.begin();
  listen(lead);
  while (!lead.closed) {
    if (!lead.wantsNewRun) {
      await lead.untilDeadlineOrInput();
      continue;
    }
    // A new run (a new cycle, an upgrade, or a long history) starts once nothing is in flight.
    await lead.settled();
    if (lead.closed) break;
    if (!lead.idle || (await lead.checkedCatalogForNewCycle())) continue;
    return continueAsNew<typeof leadWorkflow>(lead.nextRunInput());
  }
  await lead.settled();
  return lead.outcome();
}

/** Behaviour and fit arrive as signals; sales actions are updates, validated before they enter history. */
function listen(lead: LeadRun): void {
  setHandler(messages.engagementSignal, (event) => lead.feed({ type: 'engagement', event }));
  setHandler(messages.attributesSignal, (attributes) => lead.feed({ type: 'attributes', attributes }));
  setHandler(messages.unsubscribeSignal, (by) => lead.feed({ type: 'unsubscribe', ...messages.signalledActor(by) }));
  setHandler(messages.clearBounceSignal, (by) => lead.feed({ type: 'bounceCleared', ...messages.signalledActor(by) }));
  setHandler(messages.migrateSignal, (config) => lead.migrateByContent(config));
  setHandler(messages.migrateToSignal, (versions, by) => lead.migrateTo(versions, messages.signalledActor(by).actor));
  setHandler(messages.getStateQuery, () => lead.view());
  setHandler(messages.runRevisionQuery, () => lead.revision);
  setHandler(messages.upgradeSignal, () => lead.requestUpgrade());
  setHandler(messages.contactUpdate, (action) => lead.act({ type: 'contact', action }), {
    validator: (action) => lead.refuseIllegal({ type: 'contact', action }),
  });
  setHandler(messages.acceptUpdate, (action) => lead.act({ type: 'accept', action }), {
    validator: (action) => lead.refuseIllegal({ type: 'accept', action }),
  });
  setHandler(messages.rejectUpdate, (action) => lead.act({ type: 'reject', action }), {
    validator: (action) => lead.refuseIllegal({ type: 'reject', action }),
  });
}
