// One run of a lead's workflow: it feeds inputs to the pure core (src/domain/lifecycle), starts the
// commands the core returns, publishes what ops see, and keeps the timer for the next deadline.
import { allHandlersFinished, ApplicationFailure, condition, log, patched, workflowInfo } from '@temporalio/workflow';
import type { LeadSnapshot } from '../activities';
import { nextWakeup } from '../src/domain/deadlines';
import { isTerminal, type LeadConfig, type LeadInput, type LeadState, type StepResult } from '../src/domain/lead-state';
import { check, enroll, step, versionsOf } from '../src/domain/lifecycle';
import type { LeadAttributes, Stage } from '../src/domain/types';
import { viewOf, type LeadView } from '../src/domain/view';
import { DeadlineTimer } from './deadline-timer';
import { LeadCommands, store, type RunCommand } from './lead-commands';
import type { CatalogVersions } from './messages';
import { Publication } from './publication';
import { LEAD_RUN_REVISION, OLDEST_LEAD_RUN_REVISION } from './revision';

export interface LeadWorkflowInput {
  leadId: string;
  config: LeadConfig;
  /** Fit attributes only; the email address and name stay in PostgreSQL. */
  attributes: LeadAttributes;
  /** False against a server without the custom search attributes (the time-skipping test server). */
  searchAttributes?: boolean;
  /** Carried across continue-as-new. */
  state?: LeadState;
  /** The intake stored the 'enrolled' transition with the lead row and started the run with its first search attributes. */
  enrolmentRecorded?: boolean;
  /** workflows/revision.ts. */
  revision?: number;
}

export interface LeadOutcome {
  leadId: string;
  stage: Extract<Stage, 'sql' | 'disqualified'>;
  owner: string | null;
  score: number;
  cycle: number;
  at: string;
}

export class LeadRun {
  readonly leadId: string;
  readonly revision: number;
  private config: LeadConfig;
  private state!: LeadState;
  private readonly commands = new LeadCommands(this);
  private readonly publication: Publication;
  private readonly timer = new DeadlineTimer();
  private continueRequested = false;
  private upgradeRequested = false;
  private catalogChecked = false;

  constructor(private readonly input: LeadWorkflowInput) {
    this.leadId = input.leadId;
    this.config = input.config;
    this.revision = input.revision ?? 0;
    // Such a run was upgraded before its revision's code was removed; if not, its task fails here, visibly, until a worker that knows it runs.
    if (this.revision < OLDEST_LEAD_RUN_REVISION) throw new Error(`lead run of revision ${this.revision}: this worker runs revisions ${OLDEST_LEAD_RUN_REVISION}–${LEAD_RUN_REVISION} (docs/operations.md)`);
    this.publication = new Publication(input.searchAttributes !== false);
  }

  /** Enrols the lead, or takes over the state of the run it continues. */
  begin(): void {
    const { input } = this;
    if (input.enrolmentRecorded && input.searchAttributes !== false) this.publication.startedWithAttributes();
    else if (!input.enrolmentRecorded) this.publication.campaign(this.config);
    if (input.state) return this.resume(input.state);
    const enrolled = enroll(this.leadId, input.attributes, Date.now(), this.config, this.revision >= 3 ? { ownerChoice: 'directory' } : {});
    if (!input.enrolmentRecorded) return this.apply(enrolled);
    this.apply({ ...enrolled, commands: enrolled.commands.filter((c) => !(c.type === 'recordTransition' && c.transition.seq === 1)) });
  }

  /**
   * A run that continued as new at the end of a recycle period takes the lead back to nurture; one
   * that continued during it (history grew) still owes the recycle its catalog check.
   */
  private resume(state: LeadState): void {
    // A run upgraded to revision 3 routes its next handoff too.
    this.state = this.revision >= 3 && state.ownerChoice === undefined ? { ...state, ownerChoice: 'directory' } : state;
    this.published();
    const due = nextWakeup(state, this.config);
    if (due && due.at <= Date.now()) this.feed({ type: 'tick' });
    if (this.state.stage === 'recycled') this.continueRequested = true;
  }

  feed(input: LeadInput): void {
    this.apply(step(this.state, input, Date.now(), this.config));
  }

  private apply(result: StepResult): void {
    this.state = result.state;
    this.commands.start(result.commands, (command) => this.own(command));
    this.published();
  }

  private own(command: RunCommand): void {
    if (command.type === 'continueAsNew') this.continueRequested = true;
    else {
      this.config = command.config;
      this.publication.model(command.config);
    }
  }

  private published(): void {
    this.publication.publish(this.state, this.config);
  }

  // ---- what the messages of workflows/messages.ts do

  view(): LeadView {
    return viewOf(this.state, this.config, Date.now());
  }

  /** A sales action: the update's validator asks the core first, so an illegal action never enters history. */
  refuseIllegal(input: LeadInput): void {
    const refusal = check(this.state, input, this.config, Date.now());
    if (isTerminal(this.state.stage)) throw ApplicationFailure.create({ type: 'illegal_stage', message: `lead is already '${this.state.stage}'; no further sales actions`, nonRetryable: true });
    if (refusal) throw ApplicationFailure.create({ type: refusal.code, message: refusal.message, nonRetryable: true });
  }

  act(input: LeadInput): LeadView {
    this.feed(input);
    return this.view();
  }

  /** The retired `migrate` signal carried a configuration; runs of revision 3 ignore it without a patch marker. */
  migrateByContent(next: LeadConfig): void {
    if (this.revision >= 3 || patched('migrate-by-reference')) log.warn('ignored a migrate signal that carries a configuration; send migrateTo');
    else this.feed({ type: 'migrate', config: next, trigger: 'request' });
  }

  async migrateTo(versions: CatalogVersions, actor?: string): Promise<void> {
    if (versions.campaign.id !== this.config.campaign.id) return log.warn('ignored migrateTo for another campaign');
    const summary = `Load ${versionsOf(versions)} (now ${versionsOf(this.config)})`;
    const next = await store.loadCatalogVersions.executeWithOptions({ summary }, [versions]);
    if (next) this.feed({ type: 'migrate', config: next, trigger: 'request', ...(actor ? { actor } : {}) });
  }

  requestUpgrade(): void {
    if (this.revision < LEAD_RUN_REVISION) this.upgradeRequested = true;
  }

  // ---- what the workflow's loop asks

  get closed(): boolean {
    return isTerminal(this.state.stage);
  }

  /**
   * A recycled lead continues as new (after its catalog check) when its recycle period is over, not
   * when it is recycled: a breach then costs no catalog check and no new run in its own moment.
   */
  private get waitingOutRecycle(): boolean {
    return this.state.stage === 'recycled' && this.state.recycleAt !== null && this.state.recycleAt > Date.now();
  }

  private get continueNow(): boolean {
    return this.continueRequested && !this.waitingOutRecycle;
  }

  get wantsNewRun(): boolean {
    return this.continueNow || this.upgradeRequested || workflowInfo().continueAsNewSuggested;
  }

  get idle(): boolean {
    return this.commands.idle;
  }

  /** Until every command and message handler is done. */
  settled(): Promise<void> {
    return condition(() => this.idle && allHandlersFinished());
  }

  /** Before a new cycle, the lead moves to the newest campaign and model versions; true when it asked the catalog. */
  async checkedCatalogForNewCycle(): Promise<boolean> {
    if (!this.continueNow || this.catalogChecked) return false;
    this.catalogChecked = true;
    const summary = `Newest versions of campaign ${this.config.campaign.id} (now ${versionsOf(this.config)})`;
    const newest = await store.resolveCatalog.executeWithOptions({ summary }, [{ campaignId: this.config.campaign.id }]);
    if (newest) this.feed({ type: 'migrate', config: newest, trigger: 'recycle' });
    return true;
  }

  nextRunInput(): LeadWorkflowInput {
    const { leadId, config, state } = this;
    return { leadId, config, attributes: state.attributes, searchAttributes: this.input.searchAttributes !== false, state, revision: LEAD_RUN_REVISION };
  }

  /** Arms the timer for the next deadline and waits for it, or for an input that moved it or ends the run. */
  async untilDeadlineOrInput(): Promise<void> {
    const wake = nextWakeup(this.state, this.config);
    this.timer.arm(wake?.at ?? null, wake?.summary ?? '');
    const deadlineMoved = () => (nextWakeup(this.state, this.config)?.at ?? null) !== this.timer.armedAt;
    await condition(() => this.timer.fired || deadlineMoved() || this.wantsNewRun || this.closed);
    if (!this.timer.fired) return;
    this.timer.consume();
    // The recycle period's end is the new run's first tick.
    if (!this.continueNow) this.feed({ type: 'tick' });
  }

  outcome(): LeadOutcome {
    const { state } = this;
    return { leadId: this.leadId, stage: state.stage as LeadOutcome['stage'], owner: state.owner, score: state.score.total, cycle: state.cycle, at: new Date(Date.now()).toISOString() };
  }

  // ---- CommandHost

  snapshot(): LeadSnapshot {
    const { state } = this;
    return { stage: state.stage, owner: state.owner, score: state.score.total, unsubscribed: state.unsubscribed, emailBounced: state.emailBounced };
  }

}
