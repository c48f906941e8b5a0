// Opaque page cursors: the sort key of a page's last row, as base64url JSON, so that clients
// cannot build one and any change to the key stays inside the API.
import { validationError } from './errors';

export const encodeCursor = (values: readonly string[]): string => Buffer.from(JSON.stringify(values)).toString('base64url');

/** The values of a cursor this API returned, or 400 naming `cursor` for anything else. */
export function decodeCursor(cursor: string, valid: (values: string[]) => boolean): string[] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string') && valid(value)) return value;
  } catch {
    // fall through
  }
  throw validationError([{ in: 'querystring', field: 'cursor', message: 'not a cursor returned by this API' }]);
}
