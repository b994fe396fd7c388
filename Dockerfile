# syntax=docker/dockerfile:1
# Alliance as a container: `docker build -t alliance .` then see compose.yaml and the README.

# Build stage: every dependency (TypeScript, drizzle-kit…), the compiled JavaScript, then the
# development dependencies pruned away so only production ones are copied on.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 downloads a prebuilt binary for Node 20; the compilers are the fallback when it cannot.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run stage: Node 20 slim, the compiled app, production dependencies and the migrations; no
# compilers, no sources, no sandbox or fake Slack (tsconfig.build.json leaves them out).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=/data/alliance.db
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY migrations-pg ./migrations-pg
# The SQLite database lives on a volume (with DATABASE_URL=postgres://… it is unused).
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
# The image's unprivileged user: the app never needs root.
USER node
EXPOSE 3000
# /healthz answers 200 while the database answers (503 otherwise); Node 20 has fetch built in.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM stops taking requests, finishes work in flight and closes the database (up to ~20 s).
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
