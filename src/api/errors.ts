// One error shape for every failure: { "error": { "code", "message", "details"? } }. User input
// never yields a 500: validation, malformed JSON, oversize bodies and unknown ids all map to 4xx.
import { isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z, ZodError } from 'zod';
import { UnknownCatalogEntryError } from '../catalog/store';
import { isDatabaseTimeout, isDatabaseUnavailable } from '../db/unavailable';
import { EventIdConflictError, SuppressedLeadError, UnknownLeadError } from '../leads/errors';

export interface ErrorDetail {
  /** Where the problem is: `body`, `params`, `querystring` or `headers`. */
  in?: string;
  /** Dotted path of the offending field, e.g. `events.3.type`; empty for the whole value. */
  field?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, e.g. validation_failed, not_found, illegal_stage'),
      message: z.string().describe('human-readable explanation'),
      details: z.array(z.object({ in: z.string().optional(), field: z.string().optional(), message: z.string() })).optional(),
    }),
  })
  .describe('Every error response has this shape');

export function errorBody(code: string, message: string, details?: ErrorDetail[]) {
  return { error: { code, message, ...(details && details.length ? { details } : {}) } };
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  431: 'headers_too_large',
};

const FASTIFY_CODES: Record<string, [number, string, string?]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'the request body is not valid JSON, or has a forbidden __proto__ or constructor.prototype key'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json', 'the request body is empty but Content-Type is application/json'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'the request body is larger than 1 MB'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'send JSON with Content-Type: application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'Content-Length does not match the body'],
};

const path = (p: readonly PropertyKey[]): string => p.map(String).join('.');

export function zodDetails(err: ZodError, where?: string): ErrorDetail[] {
  return err.issues.map((issue) => {
    // Unknown fields: name each of them.
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      return { ...(where ? { in: where } : {}), field: path([...issue.path, ...(keys.length === 1 ? keys : [])]), message: `unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}` };
    }
    return { ...(where ? { in: where } : {}), field: path(issue.path), message: issue.message };
  });
}

function summary(details: ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'invalid request';
  const where = first.field ? `${first.field}: ` : first.in ? `${first.in}: ` : '';
  return `${where}${first.message}${details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : ''}`;
}

export const validationError = (details: ErrorDetail[]): ApiError => new ApiError(400, 'validation_failed', summary(details), details);

/** Seconds a client should wait before retrying a 503 (sent as the Retry-After header). */
export const RETRY_AFTER_SECONDS = 5;

/** Temporal or PostgreSQL not reachable: the client may retry. */
function isUnavailable(err: unknown): boolean {
  if (err instanceof ServiceError || isGrpcServiceError(err)) {
    const code = (err as { code?: number }).code ?? (err as { cause?: { code?: number } }).cause?.code;
    return code === 14 || code === 4; // UNAVAILABLE, DEADLINE_EXCEEDED
  }
  return isDatabaseUnavailable(err);
}

export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext;
    const details = (err as { validation: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> }[] }).validation.map((v) => {
      const parts = v.instancePath.split('/').filter(Boolean);
      if (v.keyword === 'unrecognized_keys') {
        const keys = (v.params.keys as string[] | undefined) ?? [];
        return { ...(where ? { in: where } : {}), field: [...parts, ...(keys.length === 1 ? keys : [])].join('.'), message: `unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}` };
      }
      return { ...(where ? { in: where } : {}), field: parts.join('.'), message: v.message ?? 'invalid value' };
    });
    return validationError(details);
  }
  if (err instanceof ZodError) return validationError(zodDetails(err, 'body'));
  if (err instanceof UnknownLeadError) return new ApiError(404, 'not_found', err.message);
  if (err instanceof SuppressedLeadError) return new ApiError(409, 'suppressed', err.message, [{ in: 'body', field: 'email', message: err.message }]);
  if (err instanceof EventIdConflictError) return new ApiError(409, 'event_id_conflict', err.message, [{ in: 'body', field: 'eventId', message: err.message }]);
  if (err instanceof UnknownCatalogEntryError) {
    return err.field
      ? new ApiError(422, 'unknown_reference', err.message, [{ in: 'body', field: err.field, message: err.message }])
      : new ApiError(404, 'not_found', err.message);
  }
  const fastifyCode = (err as FastifyError)?.code;
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) {
    const [status, code, message] = FASTIFY_CODES[fastifyCode]!;
    return new ApiError(status, code, message ?? (err as Error).message);
  }
  const status = (err as FastifyError)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, STATUS_CODES[status] ?? 'bad_request', (err as Error).message);
  }
  if (isDatabaseTimeout(err)) return new ApiError(503, 'unavailable', 'PostgreSQL did not answer within the statement timeout; retry later');
  if (isUnavailable(err)) return new ApiError(503, 'unavailable', 'a backing service (Temporal or PostgreSQL) is unreachable; retry later');
  return null;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const api = toApiError(err);
    if (api) {
      if (api.status >= 500) request.log.warn({ err }, api.message);
      // The same request may be sent again after this delay (an eventId or email is recorded once).
      if (api.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return reply.status(api.status).type('application/json; charset=utf-8').send(errorBody(api.code, api.message, api.details));
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .type('application/json; charset=utf-8')
      .send(errorBody('internal', `internal error; quote request id ${request.id} when reporting it`));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
