// Which sales actions are legal in the lead's state: the workflow's update validators ask this
// before an action enters history.
import type { LeadConfig, LeadInput, LeadState, Refusal } from './lead-state';
import type { Stage } from './types';

/** Whether `input` is legal for the lead as it is (lifecycle.ts `check` first settles due deadlines). */
export function legality(state: LeadState, input: LeadInput, config: LeadConfig): Refusal | null {
  switch (input.type) {
    case 'contact':
      // Further attempts are legal while none has reached the lead.
      if (state.stage === 'working' && state.reached === false) return null;
      if (state.stage !== 'mql') return illegal(state, 'contact', ['mql']);
      return null;
    case 'accept': {
      if (state.stage !== 'working') return illegal(state, 'accept', ['working']);
      if (state.reached === false) return { code: 'illegal_stage', message: 'accept needs a contact attempt that reached the lead (log one with outcome "reached")' };
      const confirmed = Object.values(input.action.bant).filter(Boolean).length;
      if (confirmed < config.policy.bantRequired) {
        return {
          code: 'bant_insufficient',
          message: `accept needs at least ${config.policy.bantRequired} of 4 BANT items confirmed (budget, authority, need, timeline); got ${confirmed}`,
        };
      }
      return null;
    }
    case 'reject':
      if (state.stage !== 'mql' && state.stage !== 'working') return illegal(state, 'reject', ['mql', 'working']);
      return null;
    default:
      return null;
  }
}

function illegal(state: LeadState, action: string, allowed: Stage[]): Refusal {
  return {
    code: 'illegal_stage',
    message: `cannot ${action} a lead in stage '${state.stage}'; ${action} is allowed only in stage ${allowed.map((s) => `'${s}'`).join(' or ')}`,
  };
}
