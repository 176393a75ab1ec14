import http from 'node:http';
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLSchema } from 'graphql';
import type { Services } from '../app/services.js';
import type { GraphQLContext } from '../../schema/context.js';
import { formatGraphQLError } from './graphql-errors.js';
import { authenticateRequest } from './authenticate-request.js';
import { auditDenialsPlugin } from '../../schema/admin/audit-denials.plugin.js';
import { accessPackageRouter } from './access-package-route.js';
import { tombstoneRoute } from './tombstone-route.js';
import { metricsRoute } from './metrics-route.js';
import { dataMapRoute } from './data-map-route.js';
import { reportRoute } from './report-route.js';
import { queueBoardRoute } from './queue-board-route.js';
import { consoleRoute } from './console-route.js';
import { securityHeaders } from './security-headers.js';
import { refuseOperationsInUrl } from './operations-in-url.js';
import type { ConsoleOidcSettings } from './console-oidc.js';

export interface HttpGateway {
  app: express.Express;
  server: http.Server;
  apollo: ApolloServer<GraphQLContext>;
}

/**
 * The HTTP surface: health probes, the GraphQL endpoint with its limits, and the
 * routes other modules mount (metrics, queue board, tombstone check for feeds).
 */
export async function createHttpGateway(
  services: Services,
  schema: GraphQLSchema,
  options: { consoleOidc?: ConsoleOidcSettings | null } = {},
): Promise<HttpGateway> {
  const { config, logger } = services;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  // req.ip: the socket's peer unless TRUST_PROXY names the proxies whose X-Forwarded-For counts.
  app.set('trust proxy', config.TRUST_PROXY ?? false);
  const server = http.createServer(app);

  // Limits against expensive queries: depth, cost, aliases, tokens (numbers from config).
  const armor = new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
    // Tokens are limited by graphql's own parser (parseOptions below): armor's token check
    // throws from a plugin hook, which Apollo answers with HTTP 500, and its error hook
    // would pass any unexpected error's message to the client.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: config.production },
  }).protect();

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    ...armor,
    parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS }, // GRAPHQL_PARSE_FAILED, HTTP 400
    introspection: !config.production,
    csrfPrevention: true,
    stopOnTerminationSignals: false, // shutdown is ours (src/app/shutdown.ts), in order
    includeStacktraceInErrorResponses: false,
    plugins: [
      ...armor.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      auditDenialsPlugin(), // refusals (FORBIDDEN) recorded in the audit log
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
    ] as ApolloServerPlugin<GraphQLContext>[],
    formatError: (formatted, error) =>
      formatGraphQLError(formatted, error, (internal) => logger.error({ err: internal }, 'internal error in GraphQL'), { hideSuggestions: config.production }),
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const readiness = await services.readiness();
    res.status(readiness.ready ? 200 : 503).json(readiness);
  });

  app.use(
    '/graphql',
    refuseOperationsInUrl(),
    express.json({ limit: config.HTTP_BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => ({
        requestId: (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
        principal: await authenticateRequest(services, req, res),
        services,
      }),
    }),
  );

  app.use(accessPackageRouter(services));
  app.use(tombstoneRoute(services));
  app.use(metricsRoute(services));
  app.use(dataMapRoute(services));
  app.use(reportRoute(services));
  app.use(queueBoardRoute(services));
  app.use(consoleRoute(undefined, options.consoleOidc ?? null));
  app.use(jsonErrors(services));
  return { app, server, apollo };
}

/** Errors before GraphQL runs (oversized or malformed bodies) still answer with a code. */
function jsonErrors(services: Services): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const status = typeof err?.status === 'number' ? err.status : 500;
    const code =
      err?.type === 'entity.too.large'
        ? 'PAYLOAD_TOO_LARGE'
        : err?.type === 'entity.parse.failed'
          ? 'BAD_REQUEST'
          : status < 500
            ? 'BAD_REQUEST'
            : 'INTERNAL_SERVER_ERROR';
    if (status >= 500) services.logger.error({ err }, 'unhandled HTTP error');
    // The parser's message quotes the body around the fault (an e-mail, a name): not repeated.
    const message = status >= 500 ? 'Internal error' : err?.type === 'entity.parse.failed' ? 'The body is not valid JSON' : String(err.message);
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };
}
