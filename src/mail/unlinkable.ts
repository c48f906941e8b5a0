// Lead data shown in an email to a rep must never become a link: mail clients auto-link anything
// that looks like a URL, a domain or an address, whatever the HTML says. Such text is defanged with
// look-alike characters, so "http://evil.example" reads the same but no client can follow it.
const ONE_DOT_LEADER = '\u2024';
const MODIFIER_COLON = '\uA789';
const FULLWIDTH_AT = '\uFF20';
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `value` with control characters as spaces and every link-making character ('.', ':', '@') replaced by a look-alike. */
export function unlinkable(value: string): string {
  return value.replace(CONTROLS, ' ').replace(/\./g, ONE_DOT_LEADER).replace(/:/g, MODIFIER_COLON).replace(/@/g, FULLWIDTH_AT);
}

/** One line for a header (the subject): no control characters, collapsed spaces, at most `max` characters, defanged. */
export function headerSafe(value: string, max = 60): string {
  const line = unlinkable(value).replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join('')}…`;
}
