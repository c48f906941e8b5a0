// The entry of the reducer: every stage against every input, legal or refused (transitions/ has a test per stage module).
import { nextWakeup } from '../../src/domain/deadlines';
import { isTerminal, type LeadInput, type LeadState, type StepResult, type Transition } from '../../src/domain/lead-state';
import { check } from '../../src/domain/lifecycle';
import { STAGES, type Stage } from '../../src/domain/types';
import { BANT3, CONFIG, D, engagement, leadInStage, open, T0, tick, transitionsIn, types } from './support/lead-fixtures';

// ---------------------------------------------------------------------------------------------
// Stage × input table
// ---------------------------------------------------------------------------------------------

const INPUT_TYPES = ['engagement', 'attributes', 'unsubscribe', 'emailBounced', 'tick', 'contact', 'accept', 'reject'] as const;
type InputType = (typeof INPUT_TYPES)[number];

function inputOf(type: InputType, at: number): LeadInput {
  switch (type) {
    case 'engagement':
      return open('x-open', at);
    case 'attributes':
      return { type: 'attributes', attributes: { country: 'JP' } };
    case 'unsubscribe':
      return { type: 'unsubscribe' };
    case 'emailBounced':
      return { type: 'emailBounced', stepId: 's1' };
    case 'tick':
      return tick;
    case 'contact':
      return { type: 'contact', action: { rep: 'a@x', channel: 'call' } };
    case 'accept':
      return { type: 'accept', action: { rep: 'a@x', bant: BANT3 } };
    case 'reject':
      return { type: 'reject', action: { rep: 'a@x', reason: 'bad_timing' } };
  }
}

const ALWAYS: InputType[] = ['engagement', 'attributes', 'unsubscribe', 'emailBounced', 'tick'];
const LEGAL: Record<Stage, InputType[]> = {
  nurturing: ALWAYS,
  mql: [...ALWAYS, 'contact', 'reject'],
  working: [...ALWAYS, 'accept', 'reject'],
  recycled: ALWAYS,
  sql: [],
  disqualified: [],
};
const SALES_ACTIONS: InputType[] = ['contact', 'accept', 'reject'];

/** What a legal input does to a lead in `stage` (with nothing due at `at`). */
function expectLegalEffect(type: InputType, stage: Stage, before: LeadState, result: StepResult, at: number): void {
  const { state: after, commands } = result;
  const newTransition = (to: Stage, reason: Transition['reason']) => {
    const [t] = transitionsIn(commands);
    expect(t).toMatchObject({ seq: before.transitionSeq + 1, from: stage, to, at, reason, cycle: before.cycle });
    expect(after.transitionSeq).toBe(before.transitionSeq + 1);
    expect(after.transitions[after.transitions.length - 1]).toEqual(t);
    return t!;
  };
  switch (type) {
    case 'engagement':
      expect(commands).toEqual([]);
      expect(after.stage).toBe(stage);
      expect(after.recentEventIds).toEqual([...before.recentEventIds, 'x-open']);
      if (stage === 'recycled') {
        // Logged elsewhere, but cannot count while recycled.
        expect(after.events).toEqual(before.events);
        expect(after.score).toEqual(before.score);
      } else {
        expect(after.events.map((e) => e.eventId)).toEqual([...before.events.map((e) => e.eventId), 'x-open']);
        expect(after.score.total).toBe(before.score.total + 2);
        expect(after.score.behavior).toBe(before.score.behavior + 2);
      }
      return;
    case 'attributes':
      expect(commands).toEqual([]);
      expect(after).toEqual({ ...before, attributes: { ...before.attributes, country: 'JP' } });
      return;
    case 'unsubscribe':
    case 'emailBounced': {
      // Both set their flag, stop nurture and record a transition that keeps the stage.
      const flag = type === 'unsubscribe' ? 'unsubscribed' : 'emailBounced';
      const t = newTransition(stage, type === 'unsubscribe' ? 'unsubscribed' : 'email_bounced');
      if (type === 'emailBounced') expect(t.details).toEqual({ stepId: 's1' });
      expect(types(commands)).toEqual(['recordTransition']);
      expect(after).toEqual({
        ...before,
        [flag]: true,
        nurture: { ...before.nurture, dueAt: null },
        transitionSeq: before.transitionSeq + 1,
        transitions: [...before.transitions, t],
      });
      return;
    }
    case 'tick':
      expect(commands).toEqual([]);
      expect(after).toEqual(before);
      return;
    case 'contact':
      expect(after.stage).toBe('working');
      newTransition('working', 'contacted');
      expect(types(commands)).toEqual(['recordTransition']);
      return;
    case 'accept':
      expect(after.stage).toBe('sql');
      newTransition('sql', 'accepted');
      expect(types(commands)).toEqual(['recordTransition']);
      return;
    case 'reject':
      expect(after.stage).toBe('recycled');
      newTransition('recycled', 'rejected');
      expect(types(commands)).toEqual(['recordTransition', 'continueAsNew']);
      return;
  }
}

describe('stage × input table', () => {
  it('covers every stage', () => {
    expect(Object.keys(LEGAL).sort()).toEqual([...STAGES].sort());
  });

  describe.each([...STAGES])('in stage %s', (stage) => {
    it.each([...INPUT_TYPES])('%s', (type) => {
      const { lead, at } = leadInStage(stage);
      const before = lead.state;
      expect(before.stage).toBe(stage);
      const snapshot = JSON.parse(JSON.stringify(before)) as LeadState;
      const input = inputOf(type, at);
      const refusal = check(before, input, lead.config);

      if (LEGAL[stage].includes(type)) {
        expect(refusal).toBeNull();
        const result = lead.apply(input, at);
        expectLegalEffect(type, stage, snapshot, result, at);
        return;
      }

      if (SALES_ACTIONS.includes(type)) {
        expect(refusal).not.toBeNull();
        expect(refusal!.code).toBe('illegal_stage');
        expect(refusal!.message).toContain(`'${stage}'`);
        expect(refusal!.message).toContain(type);
      } else {
        // Only terminal stages get here: everything is ignored there.
        expect(isTerminal(stage)).toBe(true);
      }
      const result = lead.apply(input, at);
      expect(result.commands).toEqual([]);
      expect(result.state).toEqual(snapshot);
    });
  });

  it.each(['sql', 'disqualified'] as const)('terminal stage %s ignores everything, even long after, and has no wakeup', (stage) => {
    const { lead } = leadInStage(stage);
    expect(isTerminal(stage)).toBe(true);
    const snapshot = JSON.parse(JSON.stringify(lead.state)) as LeadState;
    for (const type of INPUT_TYPES) {
      const result = lead.apply(inputOf(type, T0 + 400 * D), T0 + 400 * D);
      expect(result.commands).toEqual([]);
      expect(result.state).toEqual(snapshot);
    }
    // Even an event that would be an MQL on its own.
    lead.apply(engagement('demo-late', 'demo_request', T0 + 401 * D), T0 + 401 * D);
    expect(lead.state).toEqual(snapshot);
    expect(nextWakeup(lead.state, CONFIG)).toBeNull();
  });

  it('non-terminal stages are not terminal', () => {
    for (const stage of ['nurturing', 'mql', 'working', 'recycled'] as const) expect(isTerminal(stage)).toBe(false);
  });
});
