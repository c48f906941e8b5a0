// Header values built from templates and lead fields.

/** Header values must never carry CR/LF from user data (header injection). */
export function singleLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}
