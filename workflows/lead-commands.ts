// The side effects the core asks for, run beside the deadline loop: emails on one lane, records on
// another, so that a slow or retrying email never delays a deadline and never holds a record back.
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { LeadActivities, LeadSnapshot, TransitionToRecord } from '../activities';
import type { LeadCommand, LeadInput, Transition } from '../src/domain/lead-state';
import { CommandLane } from './command-lane';

// Emails: bounded retries with backoff (any SMTP failure that is not the recipient's); a recipient's
// permanent refusal comes back as 'bounced'. They heartbeat (activities/context.ts), so a worker
// killed mid-send is noticed after 10 s and the email retried elsewhere.
const mail = proxyActivities<LeadActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 25 },
});
// Records must never be lost: retried until PostgreSQL is back.
export const store = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Routing's pick, the owner's email and the manager's at a breach may record their step's transition too. */
type RecordingCommand = Extract<LeadCommand, { type: 'escalateSla' | 'notifyOwner' | 'chooseOwner' }>;
type Task = Exclude<LeadCommand, RecordingCommand> | (RecordingCommand & { records?: Transition });
/** The commands the run handles itself. */
export type RunCommand = Extract<LeadCommand, { type: 'useConfig' | 'continueAsNew' }>;

/** What the commands need of the lead's run. */
export interface CommandHost {
  readonly leadId: string;
  snapshot(): LeadSnapshot;
  feed(input: LeadInput): void;
}

export class LeadCommands {
  private readonly emails = new CommandLane<Task>((task) => this.run(task));
  private readonly records = new CommandLane<Task>((task) => this.run(task));
  // Routing's picks: never behind an email or a record, so the owner is known at once.
  private readonly choices = new CommandLane<Task>((task) => this.run(task));

  constructor(private readonly lead: CommandHost) {}

  get idle(): boolean {
    return this.emails.idle && this.records.idle && this.choices.idle;
  }

  /** Starts one step's side effects in the core's order; `useConfig` and `continueAsNew` go to `own`. */
  start(commands: readonly LeadCommand[], own: (command: RunCommand) => void): void {
    const recordedBy = commandsThatRecord(commands, this.emails.idle);
    const recorded = new Set(recordedBy.values());
    const withRecord = (command: RecordingCommand): Task => {
      const records = recordedBy.get(command);
      return records ? { ...command, records } : command;
    };
    for (const command of commands) {
      if (command.type === 'continueAsNew' || command.type === 'useConfig') own(command);
      else if (command.type === 'chooseOwner') this.choices.push(withRecord(command));
      else if (command.type === 'recordTransition') {
        if (!recorded.has(command.transition)) this.records.push(command);
      } else if (command.type === 'escalateSla' || command.type === 'notifyOwner') this.emails.push(withRecord(command));
      else this.emails.push(command);
    }
  }

  private async run(task: Task): Promise<void> {
    try {
      await this.execute(task);
    } catch (err) {
      // Only bounded email retries end up here; the lead goes on and the failure stays in history.
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('command failed after retries', { command: task.type, error: err.cause?.message ?? err.message });
    }
  }

  private async execute(task: Task): Promise<void> {
    const { leadId } = this.lead;
    switch (task.type) {
      case 'sendNurtureEmail': {
        const { type: _, ...args } = task;
        const summary = `Nurture email: step ${task.step.id} '${task.step.subject}' (cycle ${task.cycle})`;
        const result = await mail.sendNurtureEmail.executeWithOptions({ summary }, [{ leadId, ...args }]);
        if (result.status === 'bounced') this.lead.feed({ type: 'emailBounced', stepId: task.step.id });
        return;
      }
      case 'notifyOwner': {
        const { type: _, records, ...args } = task;
        const summary = `${task.reason === 'handoff' ? 'Hand off' : 'Reassign'} to ${task.owner} (score ${task.score.total})`;
        return this.recordingWith(records, summary, (options, record) => mail.notifyOwner.executeWithOptions(options, [{ leadId, ...args, ...record }]));
      }
      case 'escalateSla': {
        const { type: _, records, ...args } = task;
        const summary = `SLA missed by ${task.missedBy}: escalate to ${task.manager} (${task.outcome})`;
        return this.recordingWith(records, summary, (options, record) => mail.escalateSla.executeWithOptions(options, [{ leadId, ...args, ...record }]));
      }
      case 'remindOwner': {
        const { type: _, ...args } = task;
        await mail.remindOwner.executeWithOptions({ summary: `Remind ${task.owner}: contact attempt ${task.attempts + 1} overdue` }, [{ leadId, ...args }]);
        return;
      }
      case 'chooseOwner':
        return this.chooseOwner(task);
      case 'recordTransition':
        return this.recordTransition(task.transition);
    }
  }

  private async chooseOwner(task: Extract<Task, { type: 'chooseOwner' }>): Promise<void> {
    const { type: _, records, ...args } = task;
    const pools = task.pools.map((p) => `${p.poolId} (${p.owners.length})`).join(' → ');
    const summary = `Choose owner (${task.reason}, assignment ${task.assignment}): ${pools} → ${task.manager}${task.exclude.length ? `, not ${task.exclude.join(', ')}` : ''}`;
    try {
      let chosen: Awaited<ReturnType<LeadActivities['chooseOwner']>> | undefined;
      await this.recordingWith(records, summary, async (options, record) => {
        chosen = await store.chooseOwner.executeWithOptions(options, [{ leadId: this.lead.leadId, ...args, ...record }]);
      });
      this.lead.feed({ type: 'ownerChosen', assignment: task.assignment, ...chosen! });
    } catch (err) {
      // Only a refused input ends here (the store's retries are unbounded): the manager takes the lead.
      if (!(err instanceof ActivityFailure)) throw err;
      this.lead.feed({ type: 'ownerChosen', assignment: task.assignment, owner: task.manager, assignedBy: 'manager', poolId: 'manager', skipped: [] });
    }
  }

  private async recordTransition(t: Transition): Promise<void> {
    const snapshot = this.lead.snapshot();
    const summary = `Record transition #${t.seq}: ${t.from ?? 'new'} → ${t.to} (${t.reason})${t.actor ? ` by ${t.actor}` : ''}`;
    await store.recordTransition.executeWithOptions({ summary }, [{ leadId: this.lead.leadId, transition: t, snapshot }]);
  }

  /** Runs an activity that also records `records`, if given; should it fail for good, the record goes to the records lane. */
  private async recordingWith(
    records: Transition | undefined,
    summary: string,
    send: (options: { summary: string }, record: { record?: TransitionToRecord }) => Promise<unknown>,
  ): Promise<void> {
    if (!records) {
      await send({ summary }, {});
      return;
    }
    const snapshot = this.lead.snapshot();
    try {
      await send({ summary: `${summary}, records transition #${records.seq}` }, { record: { transition: records, snapshot } });
    } catch (err) {
      // The email's retries are bounded, the record's are not.
      if (err instanceof ActivityFailure) this.records.push({ type: 'recordTransition', transition: records });
      throw err;
    }
  }
}

/**
 * Which commands of one step record a transition themselves, so that the transition needs no
 * activity (and no workflow task for its completion) of its own: an SLA escalation records its
 * breach's, after the email (at a deadline only the escalation is urgent); routing's pick records
 * the `mql` transition before it picks; a handoff's owner email records its transition, before the
 * email, when the email lane is idle so that it starts at once (behind a nurture email still in
 * flight, the record keeps its own lane).
 */
function commandsThatRecord(commands: readonly LeadCommand[], emailsIdle: boolean): Map<RecordingCommand, Transition> {
  const byEmail = new Map<RecordingCommand, Transition>();
  const transitions = new Map(commands.flatMap((c) => (c.type === 'recordTransition' ? [[c.transition.seq, c.transition] as const] : [])));
  const taken = new Set<Transition>();
  const recordWith = (command: RecordingCommand) => {
    const t = transitions.get(command.transitionSeq);
    if (t && !taken.has(t)) {
      byEmail.set(command, t);
      taken.add(t);
    }
  };
  for (const c of commands) if (c.type === 'escalateSla') recordWith(c);
  for (const c of commands) if (c.type === 'chooseOwner') recordWith(c);
  if (emailsIdle) {
    const first = commands.find((c) => c.type !== 'recordTransition' && c.type !== 'useConfig' && c.type !== 'continueAsNew');
    if (first?.type === 'notifyOwner' && first.reason === 'handoff') recordWith(first);
  }
  return byEmail;
}
