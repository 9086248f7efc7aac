# syntax=docker/dockerfile:1
# One image per service: docker build --build-arg SERVICE=token -t smart-auth/token .
# SERVICE=suite gives the image of the migration job (node dist/apps/suite/migrate.js)
# and of the embedded all-in-one mode; it carries every service's code.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nx.json ./
COPY tools/build.mjs ./tools/build.mjs
COPY libs ./libs
COPY apps ./apps
# tools/build.mjs compiles and copies the page templates and stylesheets into dist/apps/<service>.
RUN node tools/build.mjs && rm -rf dist/test dist/bench dist/tools dist/.tsbuildinfo \
 && find dist -name '*.spec.js*' -delete \
 && test -n "${SERVICE}" && test -f "dist/apps/${SERVICE}/main.js" \
 && mkdir -p /out/apps \
 && if [ "${SERVICE}" = suite ]; then cp -r dist/apps/. /out/apps/; else cp -r "dist/apps/${SERVICE}" /out/apps/; fi
RUN npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=root:root /src/package.json ./package.json
COPY --from=build --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist/libs ./dist/libs
COPY --from=build --chown=root:root /out/apps ./dist/apps
USER node
# 8080: the gateway's public port; 9464: every service's management port (health, metrics), never published.
EXPOSE 8080 9464
CMD ["sh", "-c", "exec node dist/apps/${SERVICE}/main.js"]
