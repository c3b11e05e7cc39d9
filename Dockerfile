# syntax=docker/dockerfile:1
# One image for every everynode service; the command picks the service
# (default: the HTTP API):
#   docker run --init -e REDIS_URL=redis://host:6379 -e EVERYNODE_TOKEN=… -p 7700:7700 everynode
#   docker run --init -e REDIS_URL=redis://host:6379 everynode node services/worker/dist/main.mjs
#   docker run --init -e REDIS_URL=redis://host:6379 everynode node services/agent/dist/main.mjs
#   docker run --init -e REDIS_URL=redis://host:6379 everynode node services/bridge/dist/main.mjs
#   docker run --init … everynode node packages/cli/bin/everynode.mjs get ds -A
# (--init, or `init: true` in compose, so that SIGTERM reaches node and stops it cleanly.)

# Build: the whole toolchain, then `npm run build` (scripts/build.mjs) bundles every program into its dist/.
FROM node:22-slim AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
RUN npm run build

# Run: the runtime dependencies only (no TypeScript, no tsx, no test tools) and the built programs.
FROM node:22-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY packages/ packages/
COPY services/ services/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && find packages services -path '*/node_modules' -prune -o -name src -type d -prune -exec rm -rf {} +
COPY --from=build /src/packages/cli/dist packages/cli/dist
COPY --from=build /src/services/api/dist services/api/dist
COPY --from=build /src/services/worker/dist services/worker/dist
COPY --from=build /src/services/agent/dist services/agent/dist
COPY --from=build /src/services/bridge/dist services/bridge/dist
RUN ln -s /app/packages/cli/bin/everynode.mjs /usr/local/bin/everynode
USER node
EXPOSE 7700
CMD ["node", "--enable-source-maps", "services/api/dist/main.mjs"]
