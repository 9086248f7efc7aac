# syntax=docker/dockerfile:1
# One image for the whole suite (as Hydra and Keycloak ship one): the container's command picks
# what runs, `node dist/apps/<service>/main.js` for gateway, authorization, token, registration,
# introspection, jwks and audit, `node dist/apps/suite/migrate.js` for the migration job,
# `node dist/apps/cli/main.js` for the operator CLI; without a command, the all-in-one suite.
#   docker build -t smart-auth:0.1.0 .
#   docker run smart-auth:0.1.0 node dist/apps/token/main.js
#
# The base is pinned by digest: node:22-bookworm-slim as it was published under that digest
# (copied from public Dockerfiles that pin it; this repository is built and tested without a
# Docker engine or registry access, so the digest is not verified here). Refresh it with
# `docker buildx imagetools inspect node:22-bookworm-slim` and keep it in the three FROM lines
# (through NODE_IMAGE).
ARG NODE_IMAGE=node:22-bookworm-slim@sha256:f32b81066cde10a75dbac96646099533316d94bac4150c55da1636e1f0ffdc46

# Every dependency, for the build: this layer depends on package*.json alone, so a change to the
# sources reuses it.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Production dependencies only, also from package*.json alone (no dependency needs an install script).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# The TypeScript build, once for every service; tools/build.mjs copies the page templates and
# stylesheets into dist/apps/<service> and bundles each service into dist/apps/<service>/main.js
# (tools/bundle-services.mjs; esbuild is a build dependency).
FROM deps AS build
COPY tsconfig.json nx.json ./
COPY tools/build.mjs tools/bundle-services.mjs ./tools/
COPY libs ./libs
COPY apps ./apps
RUN node tools/build.mjs && rm -rf dist/test dist/bench dist/tools dist/.tsbuildinfo \
 && find dist -name '*.spec.js*' -delete

FROM ${NODE_IMAGE} AS runtime
# Nothing at run time installs packages: npm, npx, corepack and yarn go.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
    /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the `node` user (uid 1000) that runs: the pods mount the root
# filesystem read-only and give /tmp an emptyDir; nothing else is written.
COPY --chown=root:root package.json ./package.json
COPY --from=prod-deps --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist/libs ./dist/libs
COPY --from=build --chown=root:root /src/dist/apps ./dist/apps
USER node
# 8080: the gateway's public port; 9464: every process's management port (health, metrics), never published.
EXPOSE 8080 9464
CMD ["node", "dist/apps/suite/main.js"]
