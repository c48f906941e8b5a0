// Retiring an old revision (docs/operations.md): `leadloop runs --upgrade` asks every open run below
// the newest revision to continue as new on it; the lead keeps its state, and runs on the newest
// revision are left alone.
import { enrollLead } from '../../src/leads/enrol';
import { recordEvent } from '../../src/leads/record-events';
import { censusOfRuns } from '../../src/leads/run-upgrade';
import { workflowIdFor } from '../../src/temporal/client';
import { getStateQuery, runRevisionQuery } from '../../workflows/messages';
import { LEAD_RUN_REVISION } from '../../workflows/revision';
import { eventually, testConfig, uid, useDevServerStack } from '../support/harness';

const OLDER = LEAD_RUN_REVISION - 1;

describe('upgrading open runs to the newest revision', () => {
  const stack = useDevServerStack('upgrade');

  /** A lead whose run is of an older revision, as one started by the previous release. */
  async function leadOnOlderRevision(): Promise<string> {
    const config = testConfig(uid());
    const { leadId } = await enrollLead(stack.deps, { email: `upgrade-${uid()}@customer.test`, title: 'IT Director' }, config);
    const handle = stack.client.workflow.getHandle(workflowIdFor(leadId));
    await eventually(async () => expect((await handle.query(getStateQuery)).nurture.nextStep).toBe(1));
    await handle.terminate('replaced by a run of an older revision for this test');
    await stack.client.workflow.start('leadWorkflow', {
      workflowId: workflowIdFor(leadId),
      taskQueue: stack.taskQueue,
      args: [{ leadId, config, attributes: { title: 'IT Director' }, searchAttributes: true, revision: OLDER }],
    });
    await recordEvent(stack.deps, leadId, { type: 'page_view', properties: { page: 'pricing' } });
    await eventually(async () => expect((await handle.query(getStateQuery)).score.total).toBe(50));
    return leadId;
  }

  it('moves an older run onto the newest revision with its state, and leaves newest runs alone', async () => {
    const older = await leadOnOlderRevision();
    const { leadId: newest } = await enrollLead(stack.deps, { email: `upgrade-${uid()}@customer.test` }, testConfig(uid()));
    const olderHandle = stack.client.workflow.getHandle(workflowIdFor(older));
    const newestHandle = stack.client.workflow.getHandle(workflowIdFor(newest));
    const olderRun = (await olderHandle.describe()).runId;
    const newestRun = (await newestHandle.describe()).runId;
    expect(await olderHandle.query(runRevisionQuery)).toBe(OLDER);

    const before = await eventually(async () => {
      const census = await censusOfRuns(stack.client, stack.taskQueue);
      expect(census.byRevision[OLDER]).toBe(1);
      expect(census.byRevision[LEAD_RUN_REVISION]).toBe(1);
      return census;
    });
    expect(before).toMatchObject({ older: 1, signalled: 0, unanswered: 0 });

    expect(await censusOfRuns(stack.client, stack.taskQueue, { upgrade: true })).toMatchObject({ older: 1, signalled: 1 });
    await eventually(async () => expect((await olderHandle.describe()).runId).not.toBe(olderRun));
    expect(await olderHandle.query(runRevisionQuery)).toBe(LEAD_RUN_REVISION);
    const state = await olderHandle.query(getStateQuery);
    expect(state).toMatchObject({ stage: 'nurturing', score: { total: 50 }, nurture: { nextStep: 1 } });
    expect((await newestHandle.describe()).runId).toBe(newestRun);

    await eventually(async () => expect(await censusOfRuns(stack.client, stack.taskQueue)).toMatchObject({ older: 0, byRevision: { [LEAD_RUN_REVISION]: 2 } }));
    // Asked again, nothing moves: the procedure is safe to repeat.
    expect(await censusOfRuns(stack.client, stack.taskQueue, { upgrade: true })).toMatchObject({ older: 0, signalled: 0 });
  }, 90_000);
});
