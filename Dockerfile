# syntax=docker/dockerfile:1
# One image per service: docker build --build-arg SERVICE=token -t smart-auth/token .
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nx.json ./
COPY tools/build.mjs ./tools/build.mjs
COPY libs ./libs
COPY apps ./apps
RUN node tools/build.mjs && rm -rf dist/test dist/bench dist/.tsbuildinfo \
 && find dist -name '*.spec.js*' -delete
RUN npm prune --omit=dev

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production SERVICE=${SERVICE}
WORKDIR /app
COPY --from=build --chown=root:root /src/package.json ./package.json
COPY --from=build --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist/libs ./dist/libs
COPY --from=build --chown=root:root /src/dist/apps/${SERVICE} ./dist/apps/${SERVICE}
USER node
EXPOSE 8080
CMD ["sh", "-c", "exec node dist/apps/${SERVICE}/main.js"]
