// The properties a lead's workflow is signalled are bounded (issue 18 §6); lead_events keeps them whole.
import { WORKFLOW_PROPERTIES, workflowEvent, workflowProperties } from '../../src/leads/event-properties';

const byteSize = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('event properties the workflow receives', () => {
  it('passes small properties through unchanged', () => {
    const props = { page: 'pricing', seconds: 42, returning: true };
    expect(workflowProperties(props)).toEqual(props);
    expect(workflowProperties(undefined)).toEqual({});
    expect(workflowEvent({ eventId: 'e', type: 'page_view', occurredAt: '2026-01-01T00:00:00Z' })).toEqual({ eventId: 'e', type: 'page_view', occurredAt: '2026-01-01T00:00:00Z' });
  });

  it(`cuts strings to ${WORKFLOW_PROPERTIES.maxStringChars} characters, never inside a surrogate pair`, () => {
    expect(workflowProperties({ url: 'x'.repeat(1000) }).url).toBe('x'.repeat(WORKFLOW_PROPERTIES.maxStringChars));
    const emoji = `${'a'.repeat(WORKFLOW_PROPERTIES.maxStringChars - 1)}😀`;
    expect(workflowProperties({ s: emoji }).s).toBe('a'.repeat(WORKFLOW_PROPERTIES.maxStringChars - 1));
  });

  it(`keeps the first ${WORKFLOW_PROPERTIES.maxKeys} keys and at most ${WORKFLOW_PROPERTIES.maxBytes} bytes of JSON`, () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(workflowProperties(many))).toEqual(Array.from({ length: WORKFLOW_PROPERTIES.maxKeys }, (_, i) => `k${i}`));
    const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${'k'.repeat(58)}${String(i).padStart(2, '0')}`, '語'.repeat(1000)]));
    const bounded = workflowProperties(wide);
    expect(byteSize(bounded)).toBeLessThanOrEqual(WORKFLOW_PROPERTIES.maxBytes);
    expect(Object.keys(bounded).length).toBeGreaterThan(0);
    expect(workflowProperties({ ['k'.repeat(65)]: 'x', ok: 1 })).toEqual({ ok: 1 });
  });

  it('bounds the signal of an event, leaving its id, type and time alone', () => {
    const event = { eventId: 'e1', type: 'email_click', occurredAt: '2026-01-01T00:00:00Z', properties: { url: `https://example.com/${'p'.repeat(900)}` } };
    const signalled = workflowEvent(event);
    expect(signalled).toMatchObject({ eventId: 'e1', type: 'email_click', occurredAt: event.occurredAt });
    expect(signalled.properties!.url).toHaveLength(WORKFLOW_PROPERTIES.maxStringChars);
    expect(event.properties.url).toHaveLength(920); // the caller's copy (stored in PostgreSQL) is not changed
  });
});
