// Whether an error from pg means "PostgreSQL cannot be reached right now" (a retry later may
// succeed), as opposed to a bad query or bad data. The API answers these with 503 + Retry-After.

/** SQLSTATE codes of a server that is going away, starting, or full. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
/** Socket errors of a server that is down or unreachable. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** pg's own errors for a connection lost or never made (they carry no code). */
const CLIENT_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /not queryable/,
  /^Client was closed/,
];

export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    // Class 08: connection exception.
    if (TRANSIENT_SQLSTATES.has(code) || SOCKET_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  // Node wraps several failed connection attempts (IPv4 and IPv6) in one AggregateError.
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && code === undefined && CLIENT_MESSAGES.some((re) => re.test(message));
}

/**
 * Whether PostgreSQL cancelled a statement for running too long (statement_timeout, lock_timeout):
 * the database is overloaded or a row is locked, and the same request may succeed later (503).
 */
export function isDatabaseTimeout(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === '57014' || code === '55P03';
}
