// The lead page's three forms, read into the API's own action bodies and validated with the same
// zod schemas (src/schemas/lead.ts). The rep is always the link's rep, never a form field.
import { acceptSchema, contactSchema, rejectSchema } from '../schemas/lead';
import type { SalesActionInput } from './lead-workspace';

export type ActionName = SalesActionInput['name'];
export const ACTION_NAMES: readonly ActionName[] = ['contact', 'accept', 'reject'];

/** Form fields as posted (urlencoded): the last value of each name. */
export type FormFields = Record<string, string>;

const MAX_FORM_BYTES = 16 * 1024;

/** Parses an application/x-www-form-urlencoded body; null when it is too large. */
export function parseForm(body: string): FormFields | null {
  if (body.length > MAX_FORM_BYTES) return null;
  const fields: FormFields = Object.create(null) as FormFields;
  for (const [name, value] of new URLSearchParams(body)) fields[name] = value;
  return fields;
}

const optional = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value);
const checked = (value: string | undefined): boolean => value === 'on' || value === 'true';

export type ParsedAction = { ok: true; input: SalesActionInput } | { ok: false; field: string; message: string };

function fromZod<T>(result: { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }, wrap: (data: T) => SalesActionInput): ParsedAction {
  if (result.success) return { ok: true, input: wrap(result.data) };
  const issue = result.error.issues[0];
  return { ok: false, field: String(issue?.path[0] ?? ''), message: issue?.message ?? 'invalid value' };
}

/** The action of a posted form, for `rep` (also its actor), or the field that is wrong. */
export function actionFromForm(name: ActionName, form: FormFields, rep: string): ParsedAction {
  // The body carries the rep as the API's would; the actor is set after validation, as the API sets it.
  const who = { rep };
  const by = { rep, actor: rep };
  const note = optional(form.note);
  switch (name) {
    case 'contact':
      return fromZod(contactSchema.safeParse({ ...who, channel: form.channel, outcome: form.outcome, ...(note ? { note } : {}) }), (action) => ({ name, action: { ...action, ...by } }));
    case 'accept': {
      const bant = { budget: checked(form.budget), authority: checked(form.authority), need: checked(form.need), timeline: checked(form.timeline) };
      return fromZod(acceptSchema.safeParse({ ...who, bant, ...(note ? { note } : {}) }), (action) => ({ name, action: { ...action, ...by } }));
    }
    case 'reject':
      return fromZod(rejectSchema.safeParse({ ...who, reason: form.reason, ...(note ? { note } : {}), ...(checked(form.disqualify) ? { disqualify: true } : {}) }), (action) => ({ name, action: { ...action, ...by } }));
  }
}
