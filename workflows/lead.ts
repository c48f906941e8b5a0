// leadWorkflow: one per lead, for the lead's whole life. It waits for the next deadline or input,
// lets the pure core (src/domain/lifecycle) decide, and executes the commands the core returns.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { LeadActivities, TransitionRecord } from '../activities';
import { nextWakeup } from '../src/domain/deadlines';
import { isTerminal, type LeadCommand, type LeadConfig, type LeadInput, type LeadState, type StepResult, type Transition } from '../src/domain/lead-state';
import { check, enroll, step, versionsOf } from '../src/domain/lifecycle';
import type { LeadAttributes, Stage } from '../src/domain/types';
import { detailsMarkdown, viewOf } from '../src/domain/view';
import { CommandLane, ConditionLane, type Lane } from './command-lane';
import { DeadlineTimer } from './deadline-timer';
import { acceptUpdate, attributesSignal, clearBounceSignal, contactUpdate, engagementSignal, getStateQuery, migrateSignal, migrateToSignal, rejectUpdate, runRevisionQuery, unsubscribeSignal, upgradeSignal } from './messages';
import { LEAD_RUN_REVISION } from './revision';
import { CampaignId, LeadOwner, LeadScore, LeadStage, MqlAt, ScoringModel, scoringModelValue, ShadowScore, SlaDeadline } from './search-attributes';

export interface LeadWorkflowInput {
  leadId: string;
  config: LeadConfig;
  /** Fit attributes only; the email address and name stay in PostgreSQL. */
  attributes: LeadAttributes;
  /** False against a server without the custom search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
  /** Carried across continue-as-new. */
  state?: LeadState;
  /**
   * The intake stored the 'enrolled' transition with the lead row (at the intake's time), and
   * started the run with its first search attributes: the workflow records and upserts neither.
   */
  enrolmentRecorded?: boolean;
  /** workflows/revision.ts; absent in runs started before revisions existed (0). */
  revision?: number;
}

/**
 * What the lanes run: the core's commands. An escalation (revision 1) or a handoff's owner email
 * (revision 2) may carry a transition, which its activity records too.
 */
type Carrier = Extract<LeadCommand, { type: 'escalateSla' | 'notifyOwner' }>;
type LaneCommand = Exclude<LeadCommand, Carrier> | (Carrier & { carries?: Transition });

export interface LeadOutcome {
  leadId: string;
  stage: Extract<Stage, 'sql' | 'disqualified'>;
  owner: string | null;
  score: number;
  cycle: number;
  at: string;
}

// Emails: bounded retries with backoff (any SMTP failure that is not the recipient's); a recipient's
// permanent refusal comes back as 'bounced'. The last attempt records a failure as 'failed' in email_log.
// The activities heartbeat every 2 s (activities/context.ts): a worker killed mid-send is noticed
// after 10 s, and the email retried elsewhere; the start-to-close timeout still covers a slow server.
// Replay does not compare activity timeouts, so running leads replay unchanged.
const mail = proxyActivities<LeadActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 25 },
});
// Transitions must never be lost: retry until PostgreSQL is back.
const store = proxyActivities<LeadActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function leadWorkflow(input: LeadWorkflowInput): Promise<LeadOutcome> {
  const { leadId } = input;
  // Pinned at enrolment; replaced only by a migration (on request, or at recycle).
  let config = input.config;
  const useSearchAttributes = input.searchAttributes !== false;
  const revision = input.revision ?? 0;
  // Commands run one at a time, in order, beside the deadline loop: a slow email never delays an SLA.
  const runCommand = async (command: LaneCommand): Promise<void> => {
    try {
      await execute(command);
    } catch (err) {
      // Only bounded email retries end up here; the lead goes on and the failure stays in history.
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('command failed after retries', { command: command.type, error: err.cause?.message ?? err.message });
    }
  };
  const snapshot = () => ({ stage: state.stage, owner: state.owner, score: state.score.total, unsubscribed: state.unsubscribed, emailBounced: state.emailBounced });
  /** Runs an email activity that also records the transition it carries, if any. */
  const carrying = async (
    carries: Transition | undefined,
    summary: string,
    run: (options: { summary: string }, record: { record?: TransitionRecord }) => Promise<unknown>,
  ): Promise<void> => {
    if (!carries) {
      await run({ summary }, {});
      return;
    }
    try {
      await run({ summary: `${summary}, records transition #${carries.seq}` }, { record: { transition: carries, snapshot: snapshot() } });
    } catch (err) {
      // The email's retries are bounded, the record's are not: it goes to the records lane.
      if (err instanceof ActivityFailure) records.push({ type: 'recordTransition', transition: carries });
      throw err;
    }
  };
  const execute = async (command: LaneCommand): Promise<void> => {
    switch (command.type) {
      case 'sendNurtureEmail': {
        const { type: _, ...args } = command;
        const result = await mail.sendNurtureEmail.executeWithOptions(
          { summary: `Nurture email: step ${command.step.id} '${command.step.subject}' (cycle ${command.cycle})` },
          [{ leadId, ...args }],
        );
        if (result.status === 'bounced') feed({ type: 'emailBounced', stepId: command.step.id });
        return;
      }
      case 'notifyOwner': {
        const { type: _, carries, ...args } = command;
        const summary = `${command.reason === 'handoff' ? 'Hand off' : 'Reassign'} to ${command.owner} (score ${command.score.total})`;
        await carrying(carries, summary, (options, record) => mail.notifyOwner.executeWithOptions(options, [{ leadId, ...args, ...record }]));
        return;
      }
      case 'escalateSla': {
        const { type: _, carries, ...args } = command;
        const summary = `SLA missed by ${command.missedBy}: escalate to ${command.manager} (${command.outcome})`;
        await carrying(carries, summary, (options, record) => mail.escalateSla.executeWithOptions(options, [{ leadId, ...args, ...record }]));
        return;
      }
      case 'recordTransition': {
        const t = command.transition;
        await store.recordTransition.executeWithOptions(
          { summary: `Record transition #${t.seq}: ${t.from ?? 'new'} → ${t.to} (${t.reason})` },
          [{ leadId, transition: t, snapshot: snapshot() }],
        );
        return;
      }
      case 'useConfig':
      case 'continueAsNew':
        return;
    }
  };
  const legacyLanes: ConditionLane<LaneCommand>[] = [];
  const newLane = (): Lane<LaneCommand> => {
    if (revision >= 1) return new CommandLane(runCommand);
    const lane = new ConditionLane(runCommand);
    legacyLanes.push(lane);
    return lane;
  };
  const queue = newLane();
  // Transition records run on a lane of their own, so an email (the welcome email at enrolment, the
  // owner's email at handoff) does not wait for the record before it. Runs that started before this
  // change keep one lane (their histories have the commands in that order).
  // Runs the intake started with `enrolmentRecorded` are all of this code or newer: no marker needed.
  const recordsOwnLane = revision >= 1 || input.enrolmentRecorded === true || patched('transition-records-own-lane');
  const records = recordsOwnLane ? newLane() : queue;
  // Such runs were also started with their first search attributes (src/leads/intake.ts).
  const startedWithAttributes = input.enrolmentRecorded === true && useSearchAttributes;
  let continueRequested = false;
  let upgradeRequested = false;
  let state!: LeadState;
  let published: Record<string, unknown> = {};

  const apply = (result: StepResult): void => {
    state = result.state;
    const carried = carriedTransitions(result.commands, revision, queue.idle);
    const carriedOnes = new Set(carried.values());
    for (const command of result.commands) {
      if (command.type === 'continueAsNew') continueRequested = true;
      else if (command.type === 'useConfig') useConfig(command.config);
      else if (command.type === 'recordTransition') {
        if (!carriedOnes.has(command.transition)) records.push(command);
      } else if (command.type === 'escalateSla' || command.type === 'notifyOwner') {
        const carries = carried.get(command);
        queue.push(carries ? { ...command, carries } : command);
      } else queue.push(command);
    }
    publish();
  };
  const useConfig = (next: LeadConfig): void => {
    config = next;
    if (useSearchAttributes) upsertSearchAttributes([{ key: ScoringModel, value: scoringModelValue(next.model) }]);
  };
  const feed = (input: LeadInput): void => apply(step(state, input, Date.now(), config));

  const publish = (): void => {
    setCurrentDetails(detailsMarkdown(state));
    if (!useSearchAttributes) return;
    const next: Record<string, unknown> = {
      stage: state.stage,
      score: state.score.total,
      owner: state.owner,
      mqlAt: state.mqlAt,
      slaDeadline: state.slaDeadline,
      // Only leads with a shadow model have the key, so other histories see no new command.
      ...(config.shadowModel ? { shadowScore: state.shadowScore?.total ?? 0 } : {}),
    };
    const changed = (k: string) => published[k] !== next[k];
    const pairs: SearchAttributeUpdatePair[] = [];
    if (changed('stage')) pairs.push({ key: LeadStage, value: state.stage });
    if (changed('score')) pairs.push({ key: LeadScore, value: state.score.total });
    if (changed('owner')) pairs.push({ key: LeadOwner, value: state.owner });
    if (changed('mqlAt')) pairs.push({ key: MqlAt, value: state.mqlAt === null ? null : new Date(state.mqlAt) });
    if (changed('slaDeadline')) pairs.push({ key: SlaDeadline, value: state.slaDeadline === null ? null : new Date(state.slaDeadline) });
    if (changed('shadowScore')) pairs.push({ key: ShadowScore, value: 'shadowScore' in next ? (next.shadowScore as number) : null });
    if (pairs.length) upsertSearchAttributes(pairs);
    published = next;
  };

  if (startedWithAttributes) {
    // What the start set is published already: only what enrolment changed beyond it is upserted.
    const initial = workflowInfo().typedSearchAttributes;
    published = { stage: initial.get(LeadStage), score: initial.get(LeadScore), owner: null, mqlAt: null, slaDeadline: null };
  } else if (useSearchAttributes) {
    upsertSearchAttributes([
      { key: CampaignId, value: config.campaign.id },
      { key: ScoringModel, value: scoringModelValue(config.model) },
    ]);
  }
  if (input.state) {
    state = input.state;
    publish();
    if (revision >= 1) {
      // A run that continued as new at the end of a recycle period takes the lead back to nurture;
      // one that continued during it (history grew) still owes the recycle its catalog check and
      // continue-as-new at the end.
      const due = nextWakeup(state, config);
      if (due && due.at <= Date.now()) feed({ type: 'tick' });
      if (state.stage === 'recycled') continueRequested = true;
    }
  } else if (input.enrolmentRecorded) {
    const enrolled = enroll(leadId, input.attributes, Date.now(), config);
    apply({ ...enrolled, commands: enrolled.commands.filter((c) => !(c.type === 'recordTransition' && c.transition.seq === 1)) });
  } else {
    apply(enroll(leadId, input.attributes, Date.now(), config));
  }

  setHandler(engagementSignal, (event) => feed({ type: 'engagement', event }));
  setHandler(attributesSignal, (attributes) => feed({ type: 'attributes', attributes }));
  setHandler(unsubscribeSignal, () => feed({ type: 'unsubscribe' }));
  // A new handler: histories recorded before it have no such signal, so they replay unchanged.
  setHandler(clearBounceSignal, () => feed({ type: 'bounceCleared' }));
  setHandler(migrateSignal, (next) => {
    if (patched('migrate-by-reference')) log.warn('ignored a migrate signal that carries a configuration; send migrateTo');
    else feed({ type: 'migrate', config: next, trigger: 'request' });
  });
  setHandler(migrateToSignal, async (versions) => {
    if (versions.campaign.id !== config.campaign.id) return log.warn('ignored migrateTo for another campaign');
    const next = await store.loadCatalogVersions.executeWithOptions({ summary: `Load ${versionsOf(versions)} (now ${versionsOf(config)})` }, [versions]);
    if (next) feed({ type: 'migrate', config: next, trigger: 'request' });
  });
  setHandler(getStateQuery, () => viewOf(state, config, Date.now()));
  // New handlers: histories recorded before them have no such signal or query, so they replay unchanged.
  setHandler(runRevisionQuery, () => revision);
  setHandler(upgradeSignal, () => {
    if (revision < LEAD_RUN_REVISION) upgradeRequested = true;
  });

  // Sales actions are updates: the validator asks the core first, so an illegal action never enters history.
  const refuseIllegal = (input: LeadInput): void => {
    const refusal = check(state, input, config, Date.now());
    if (isTerminal(state.stage)) throw ApplicationFailure.create({ type: 'illegal_stage', message: `lead is already '${state.stage}'; no further sales actions`, nonRetryable: true });
    if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
  };
  setHandler(contactUpdate, (action) => (feed({ type: 'contact', action }), viewOf(state, config, Date.now())), {
    validator: (action) => refuseIllegal({ type: 'contact', action }),
  });
  setHandler(acceptUpdate, (action) => (feed({ type: 'accept', action }), viewOf(state, config, Date.now())), {
    validator: (action) => refuseIllegal({ type: 'accept', action }),
  });
  setHandler(rejectUpdate, (action) => (feed({ type: 'reject', action }), viewOf(state, config, Date.now())), {
    validator: (action) => refuseIllegal({ type: 'reject', action }),
  });

  for (const lane of legacyLanes) lane.start();
  const idle = () => queue.idle && records.idle;
  const timer = new DeadlineTimer(revision);
  let catalogChecked = false;
  // A recycled lead continues as new (after its catalog check) when its recycle period is over, not
  // when it is recycled: a breach, whose escalation is due at the deadline, then costs no catalog
  // check and no new run in the same moment. Runs before revision 1 continue at once.
  const waitingOutRecycle = () => state.stage === 'recycled' && state.recycleAt !== null && state.recycleAt > Date.now();
  const continueNow = () => continueRequested && !(revision >= 1 && waitingOutRecycle());
  const catalogDue = () => continueRequested && (revision >= 1 ? !waitingOutRecycle() : state.stage === 'recycled');

  for (;;) {
    if (isTerminal(state.stage)) break;
    if (continueNow() || upgradeRequested || workflowInfo().continueAsNewSuggested) {
      await condition(() => idle() && allHandlersFinished());
      if (isTerminal(state.stage)) break;
      if (!idle()) continue;
      // A recycled lead moves to the newest campaign and model versions before its next cycle.
      if (catalogDue() && !catalogChecked && (revision >= 1 || patched('catalog-upgrade-at-recycle'))) {
        catalogChecked = true;
        const newest = await store.resolveCatalog.executeWithOptions({ summary: `Newest versions of campaign ${config.campaign.id} (now ${versionsOf(config)})` }, [
          { campaignId: config.campaign.id },
        ]);
        if (newest) feed({ type: 'migrate', config: newest, trigger: 'recycle' });
        continue;
      }
      return continueAsNew<typeof leadWorkflow>({ leadId, config, attributes: state.attributes, searchAttributes: useSearchAttributes, state, revision: LEAD_RUN_REVISION });
    }
    const wake = nextWakeup(state, config);
    timer.arm(wake?.at ?? null, wake?.summary ?? '', wake?.kind === 'sla' || wake?.kind === 'qualification');
    // Wake when the timer fires, and also when an input moved the next deadline (e.g. a handoff
    // started the SLA), so the timer is re-armed for it.
    const deadlineMoved = () => (nextWakeup(state, config)?.at ?? null) !== timer.armedAt;
    await condition(() => timer.fired || deadlineMoved() || continueNow() || upgradeRequested || isTerminal(state.stage) || workflowInfo().continueAsNewSuggested);
    if (timer.fired) {
      timer.consume();
      // The recycle period's end is the new run's first tick (above).
      if (!continueNow()) feed({ type: 'tick' });
    }
  }

  await condition(() => idle() && allHandlersFinished());
  return {
    leadId,
    stage: state.stage as LeadOutcome['stage'],
    owner: state.owner,
    score: state.score.total,
    cycle: state.cycle,
    at: new Date(Date.now()).toISOString(),
  };
}

/**
 * Which email commands of one step record a transition themselves, so that the transition needs no
 * activity (and no workflow task for its completion) of its own:
 * - revision 1: an SLA escalation records its breach's transition, after the email (at a deadline
 *   only the escalation is urgent);
 * - revision 2: a handoff's owner email records the `mql` transition, before the email, when the
 *   email lane is idle so that the email starts at once; behind a nurture email still in flight (or
 *   retrying), the record keeps its own lane and is not held up.
 */
function carriedTransitions(commands: LeadCommand[], revision: number, emailLaneIdle: boolean): Map<Carrier, Transition> {
  const carried = new Map<Carrier, Transition>();
  if (revision < 1) return carried;
  const transitions = new Map(commands.flatMap((c) => (c.type === 'recordTransition' ? [[c.transition.seq, c.transition] as const] : [])));
  const carry = (c: Carrier) => {
    const t = transitions.get(c.transitionSeq);
    if (t) carried.set(c, t);
  };
  for (const c of commands) if (c.type === 'escalateSla') carry(c);
  if (revision >= 2 && emailLaneIdle) {
    // The lane's first command of this step: then it starts at once.
    const first = commands.find((c) => c.type !== 'recordTransition' && c.type !== 'useConfig' && c.type !== 'continueAsNew');
    if (first?.type === 'notifyOwner' && first.reason === 'handoff') carry(first);
  }
  return carried;
}
