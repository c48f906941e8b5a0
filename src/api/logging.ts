// The API's request log: JSON lines (pino) with no personal data and no secrets. A request is logged
// by its route template (/v1/leads/:leadId, /t/c/:token), never by its raw URL: query strings can
// carry addresses and tracking tokens carry their destination. Headers are not logged at all, so no
// API key can appear; the request id correlates a line with the response (x-request-id).
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

export function apiLoggerOptions(level: string, stream?: NodeJS.WritableStream): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: ['req.headers', 'headers.authorization', 'authorization'],
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        route: request.routeOptions?.url ?? 'unmatched',
        remoteAddress: request.ip,
      }),
    },
  };
}
