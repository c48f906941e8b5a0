// Durations are bounded at validation (issue 18 §6): "300000y" used to pass and then crash the
// workflow at handoff (its deadline is not a valid date). At most 5 years, refused naming the field.
import { campaignBodySchema } from '../../src/catalog/schemas';
import { scoringModelBodySchema } from '../../src/schemas/scoring-model';
import { MAX_DURATION_MS } from '../../src/schemas/common';

const step = (delay: string) => ({ id: 'a', delay, subject: 's', body: 'b' });
const campaignIssues = (value: unknown) => {
  const parsed = campaignBodySchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('durations at most 5 years', () => {
  it('accepts up to 5 years', () => {
    expect(MAX_DURATION_MS).toBe(5 * 365.25 * 86_400_000);
    expect(campaignIssues({ name: 'c', steps: [step('5y')], policy: { sla: '1826d', recyclePeriod: '5y', qualificationWindow: '260w' } })).toEqual([]);
  });

  it('refuses "300000y" and anything past 5 years, naming the field', () => {
    expect(campaignIssues({ name: 'c', steps: [step('0s'), step('300000y')].map((s, i) => ({ ...s, id: `s${i}` })) })).toEqual(['steps.1.delay: must be at most 5 years ("5y")']);
    expect(campaignIssues({ name: 'c', steps: [step('0s')], policy: { sla: '1827d' } })).toEqual(['policy.sla: must be at most 5 years ("5y"), 2000bh or 250bd']);
    expect(campaignIssues({ name: 'c', steps: [step('0s')], policy: { recyclePeriod: '300000y', qualificationWindow: '6y' } })).toEqual([
      'policy.qualificationWindow: must be at most 5 years ("5y"), 2000bh or 250bd',
      'policy.recyclePeriod: must be at most 5 years ("5y")',
    ]);
    const model = scoringModelBodySchema.safeParse({ behaviorWindow: '300000y', mql: { threshold: 1 } });
    expect(model.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['behaviorWindow: must be at most 5 years ("5y")']);
  });

  it('still refuses what is not a duration, with one message', () => {
    expect(campaignIssues({ name: 'c', steps: [step('soon')] })).toEqual(['steps.0.delay: must be a duration such as "90s", "24h" or "30d"']);
  });
});
