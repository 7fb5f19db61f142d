# syntax=docker/dockerfile:1
# linkbridge's image: built with the dev dependencies, run with the production dependencies and the bundle only.
# Build it with `docker build -t linkbridge .`, or let `docker compose up` build it (compose.yaml).

# The build: TypeScript and esbuild make dist/linkbridge.js, the whole server in one file (npm run build).
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# The production dependencies only (npm ci --omit=dev). better-sqlite3 is a native addon: it is built
# here, where the compiler is, against the same Debian and Node as the image that runs it.
FROM node:20-bookworm AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# What runs: a slim Node 20, the bundle and the production dependencies, as the unprivileged user `node`.
FROM node:20-bookworm-slim AS run
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/linkbridge.js /app/dist/linkbridge.js.map ./dist/
# The default SQLite store (data/linkbridge.sqlite) must be writable by the user the service runs as.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
# 3000: the service (PORT); 9464: the metrics (METRICS_PORT), for Prometheus inside the private network only.
EXPOSE 3000 9464
# Readiness: the store answers and the provider's profile is loaded. Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is the process that gets SIGTERM: linkbridge stops accepting, lets provider calls in flight finish
# (their answers reach the store for Alexa's retry), closes the store and exits.
CMD ["node", "dist/linkbridge.js"]
