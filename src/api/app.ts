// The HTTP API: Fastify with zod schemas (src/schemas) for validation, serialisation and the
// OpenAPI document (/openapi.json, interactive at /docs). Routes are grouped by audience.
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { installAuth } from './auth';
import { createRequestPrincipal } from './principal';
import type { ApiDeps, RouteContext } from './context';
import { errorBody, installErrorHandling } from './errors';
import { createMetrics } from './metrics';
import { installJsonBodyParser } from './json-body';
import { installTextGuard } from './text-guard';
import { installRateLimits } from './rate-limit';
import { DEFAULT_RATE_LIMITS } from '../config';
import { MAX_TOKEN_LENGTH } from '../mail/tokens';
import { catalogRoutes } from './routes/catalog';
import { whatIfRoutes } from './routes/what-if';
import { eventRoutes } from './routes/events';
import { leadRoutes } from './routes/leads';
import { migrateRoutes } from './routes/migrate';
import { opsRoutes } from './routes/ops';
import { publicRoutes } from './routes/public';
import { reportRoutes } from './routes/reports';
import { salesRoutes } from './routes/sales';
import { userRoutes } from './routes/users';
import { userKeyRoutes } from './routes/user-keys';
import { workspaceRoutes } from './routes/workspace';
import { webhookRoutes } from './routes/webhooks';

export const BODY_LIMIT = 1024 * 1024;
const DOCS_PREFIX = '/docs';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(deps: ApiDeps, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Click-tracking tokens carry their URL: allow long path parameters.
    routerOptions: { maxParamLength: MAX_TOKEN_LENGTH },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // No prototype poisoning through JSON bodies.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Errors the router raises before any route runs (bad URL encoding, overlong parameters).
    frameworkErrors: (error, _request, rawReply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      const reply = rawReply as unknown as FastifyReply;
      void reply
        .status(status)
        .type('application/json; charset=utf-8')
        .send(errorBody(status === 414 ? 'uri_too_long' : 'bad_request', status === 414 ? 'a path parameter is too long' : 'the URL is malformed'));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installJsonBodyParser(app);
  installTextGuard(app);
  const metrics = createMetrics(deps.pool);
  metrics.install(app);
  // Before authentication, so that unknown keys are throttled by address too.
  const requestPrincipal = createRequestPrincipal(deps.apiKeys, deps.pool);
  await installRateLimits(app, requestPrincipal, deps.rateLimits ?? DEFAULT_RATE_LIMITS);
  installAuth(app, requestPrincipal, (url) => url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`));
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'leadloop API',
        version: '1.0.0',
        description:
          'B2B lead nurturing and sales handoff. Authenticate with `Authorization: Bearer <key>`: a role key of API_KEYS (marketing, sales, ops, manager), or a user\'s own key, which acts as that user with their role (see Authorization in docs/api.md). ' +
          'Every error is `{ "error": { "code", "message", "details"? } }`. Request bodies are JSON (max 1 MB); unknown fields are rejected with 400.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'a role key from API_KEYS, or a user key from POST /v1/users/{email}/keys' } } },
      tags: [
        { name: 'leads', description: 'enrol, read, list, opt out, erase' },
        { name: 'events', description: 'behaviour events that drive scoring' },
        { name: 'sales', description: 'first contact, accept as SQL, reject' },
        { name: 'campaigns', description: 'versioned nurture campaigns with their handoff policy' },
        { name: 'scoring models', description: 'versioned scoring models' },
        { name: 'public', description: 'links in emails: tracking and unsubscribe (signed tokens, no key)' },
        { name: 'reports', description: 'funnel, conversion, SLA compliance, the SLA board' },
        { name: 'users', description: 'the user directory: owners, managers, their capacity and absences; their own API keys' },
        { name: 'webhooks', description: 'signed lead events to the CRM (Standard Webhooks) and their deliveries' },
        { name: 'operations', description: 'health, readiness, metrics' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: DOCS_PREFIX });

  const ctx: RouteContext = { ...deps, metrics, requestPrincipal };
  await app.register(opsRoutes(ctx));
  await app.register(leadRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(salesRoutes(ctx));
  await app.register(catalogRoutes(ctx));
  await app.register(whatIfRoutes(ctx));
  await app.register(migrateRoutes(ctx));
  await app.register(publicRoutes(ctx));
  await app.register(reportRoutes(ctx));
  await app.register(userRoutes(ctx));
  await app.register(userKeyRoutes(ctx));
  await app.register(workspaceRoutes(ctx));
  await app.register(webhookRoutes(ctx));

  app.get('/openapi.json', {
    config: { access: 'public' },
    schema: { hide: true },
    handler: async () => app.swagger(),
  });

  await app.ready();
  return app;
}
