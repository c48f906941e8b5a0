// Minimal {{field}} substitution for campaign subjects and bodies.
export type TemplateFields = Record<string, string | number | null | undefined>;

export function renderTemplate(template: string, fields: TemplateFields): string {
  return template.replace(/\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g, (_, name: string) => {
    const value = fields[name];
    return value === null || value === undefined ? '' : String(value);
  });
}

/** Header values must never carry CR/LF from user data (header injection). */
export function singleLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}
