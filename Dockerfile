# The leadloop image: one image, three entry points (worker, API, migrate), chosen by the command.
# TypeScript runs through tsx (a runtime dependency), exactly as with `npm run worker` / `npm run api`.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies (jest, swc, playwright) are not needed at runtime.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
USER node
EXPOSE 3000
# Overridden per service in docker-compose.yml: src/worker.ts, src/server.ts, src/migrate-cli.ts, src/cli/index.ts.
CMD ["node_modules/.bin/tsx", "src/server.ts"]
