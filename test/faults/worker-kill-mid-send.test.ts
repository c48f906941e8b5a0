// kill -9 of the worker in the middle of an SMTP conversation: the email activity heartbeats, so
// Temporal notices the dead worker within its 10 s heartbeat timeout and the next worker sends the
// email, once, within seconds (before heartbeats: after the 1-minute start-to-close timeout).
import { decodeTimeoutType, TimeoutType } from '@temporalio/common';
import { enrollLead } from '../../src/leads/enrol';
import { workflowIdFor } from '../../src/temporal/client';
import { eventually, testConfig } from '../support/harness';
import { sleep } from './support/processes';
import { workerFaultStack } from './support/worker-fault-stack';

describe('worker killed with SIGKILL mid-send', () => {
  const stack = workerFaultStack('mid-send');

  it('retries the email on the next worker within seconds, and sends it once', async () => {
    // The first conversation stops at RCPT TO (the claim's transaction open) until the worker is dead.
    let inConversation!: () => void;
    const reached = new Promise<void>((resolve) => (inConversation = resolve));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { sink, tag, taskQueue } = stack;
    sink.hooks.rcpt = async () => {
      sink.hooks = {};
      inConversation();
      await held;
    };

    const worker = await stack.startWorker();
    const email = `mid-send-${tag}@kill.test`;
    const { leadId } = await enrollLead({ pool: stack.pool, client: stack.client, taskQueue, searchAttributes: true }, { email, name: 'Mid send' }, testConfig(tag));
    await reached;
    await worker.kill9();
    const killedAt = Date.now();
    release();
    await stack.startWorker();

    await sink.waitFor(() => sink.to(email).length === 1, 90_000, 'the email after the kill');
    const delay = (Date.now() - killedAt) / 1000;
    console.log(`[faults] worker killed mid-send: the email arrived ${delay.toFixed(1)} s after the kill`);
    await sleep(2_000);
    expect(sink.to(email)).toHaveLength(1);
    // The retry came from the heartbeat timeout (seconds), not from the start-to-close timeout (a minute).
    const history = await stack.client.workflow.getHandle(workflowIdFor(leadId)).fetchHistory();
    const retried = history.events?.find((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
    expect(decodeTimeoutType(retried?.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType)).toBe(TimeoutType.HEARTBEAT);
    await eventually(async () => {
      const { rows } = await stack.pool.query('SELECT status, attempts FROM email_log WHERE lead_id = $1', [leadId]);
      expect(rows).toEqual([{ status: 'sent', attempts: 1 }]);
    });
  });
});
