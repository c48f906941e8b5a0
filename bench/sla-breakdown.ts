// Where an SLA escalation's lateness goes, read from the breached run's history: how late the final
// timer fired, how long the breach's workflow task waited for the worker and ran, how long the
// escalation activity waited, and the rest (the activity itself, up to the email at the sink).
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { workflowIdFor } from '../src/temporal/client';

const { EventType } = temporal.api.enums.v1;

export interface BreachTimeline {
  /** Final SLA timer fired, minus the deadline. */
  timerLate: number;
  /** The breach's workflow task: scheduled → started. */
  taskWait: number;
  /** Started → completed (the worker's work, the escalation scheduled). */
  taskRun: number;
  /** Escalation activity: scheduled → started. */
  activityWait: number;
  /** Activity started → email at the sink. */
  send: number;
  /** Workflow tasks of this lead that started in [deadline − 10 s, deadline + 10 s]. */
  tasksNearDeadline: number;
  /** Activities the breached run scheduled from its handoff on (the handoff's task included). */
  activitiesFromHandoff: number;
  /** History events of the breached run from the handoff's task on, up to the escalation's completion. */
  eventsFromHandoff: number;
}

const ms = (t: temporal.api.history.v1.IHistoryEvent | undefined): number => {
  const ts = t?.eventTime;
  if (!ts) return Number.NaN;
  return Number(ts.seconds ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
};

/** The run the escalation happened in: the latest run, or the one it continued from (the recycle continues as new). */
async function breachedRunEvents(client: Client, leadId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const latest = client.workflow.getHandle(workflowIdFor(leadId));
  let history = await latest.fetchHistory();
  const has = (events: temporal.api.history.v1.IHistoryEvent[]) =>
    events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'escalateSla');
  let events = history.events ?? [];
  for (let hops = 0; !has(events) && hops < 3; hops++) {
    const previous = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    history = await client.workflow.getHandle(workflowIdFor(leadId), previous).fetchHistory();
    events = history.events ?? [];
  }
  return events;
}

export async function breachTimeline(client: Client, leadId: string, deadline: number, emailAt: number): Promise<BreachTimeline> {
  const events = await breachedRunEvents(client, leadId);
  const scheduledAt = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'escalateSla');
  if (scheduledAt < 0) throw new Error(`lead ${leadId}: no escalateSla in its history`);
  const scheduled = events[scheduledAt]!;
  const completedId = Number(scheduled.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId);
  const byId = (id: number) => events.find((e) => Number(e.eventId) === id);
  const completed = byId(completedId);
  const started = byId(Number(completed?.workflowTaskCompletedEventAttributes?.startedEventId));
  const taskScheduled = byId(Number(started?.workflowTaskStartedEventAttributes?.scheduledEventId));
  // The timer that woke the breach's task: the last one fired before its task was scheduled.
  const fired = events
    .slice(0, events.indexOf(taskScheduled!))
    .reverse()
    .find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
  const activityStarted = events.find(
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled.eventId),
  );
  const tasksNearDeadline = events.filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED && Math.abs(ms(e) - deadline) <= 10_000,
  ).length;
  // The handoff's task: the one that started the SLA timer.
  const slaTimer = byId(Number(fired?.timerFiredEventAttributes?.startedEventId));
  const handoffTask = Number(slaTimer?.timerStartedEventAttributes?.workflowTaskCompletedEventId);
  const activitiesFromHandoff = events.filter((e) => e.activityTaskScheduledEventAttributes && Number(e.eventId) > handoffTask).length;
  const escalationDone = events.find((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId) === Number(scheduled.eventId));
  const eventsFromHandoff = events.filter((e) => Number(e.eventId) >= handoffTask && Number(e.eventId) <= Number(escalationDone?.eventId ?? Number.NaN)).length;
  return {
    activitiesFromHandoff,
    eventsFromHandoff,
    timerLate: ms(fired) - deadline,
    taskWait: ms(started) - ms(taskScheduled),
    taskRun: ms(completed) - ms(started),
    activityWait: ms(activityStarted) - ms(scheduled),
    // Started events of retried activities are written at completion; the send then reads as ≤ 0.
    send: emailAt - ms(activityStarted),
    tasksNearDeadline,
  };
}
