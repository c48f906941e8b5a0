// JSON request bodies: Fastify's parser (secure-json-parse, prototype poisoning refused) behind a
// nesting limit. JSON.parse itself copes with 100,000 levels, but every recursive walk after it
// (text guard, schema validation, serialisation) would overflow the stack: a 500 for user input.
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

/** Deeper than any body of this API needs (an event property holding a nested object, say). */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of JSON text, counting brackets outside strings; stops as soon as it exceeds `max`. */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(new ApiError(400, 'json_too_deep', `the request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
