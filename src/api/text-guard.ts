// Text that cannot be stored: PostgreSQL text and jsonb refuse U+0000, and a lone UTF-16 surrogate
// has no UTF-8 form (it would come back as U+FFFD, not as sent). Such input is refused up front with
// a 400 naming the field, before any schema or handler sees it, instead of failing in the database.
import type { FastifyInstance } from 'fastify';
import { validationError } from './errors';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function problemOf(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be well-formed Unicode (a lone surrogate cannot be stored)';
  return null;
}

/** The first string (value or object key) that cannot be stored, with its dotted path. */
export function findUnstorableText(value: unknown, path: string[] = []): { field: string; message: string } | null {
  if (typeof value === 'string') {
    const message = problemOf(value);
    return message ? { field: path.join('.'), message } : null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = problemOf(key);
      if (keyProblem) return { field: [...path, key].join('.'), message: `field name ${keyProblem}` };
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** Checks JSON bodies and query strings (path parameters never reach the database unvalidated). */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [['body', request.body], ['querystring', request.query]] as const) {
      const found = findUnstorableText(value);
      if (found) throw validationError([{ in: where, field: found.field, message: found.message }]);
    }
  });
}
