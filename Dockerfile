# syntax=docker/dockerfile:1
# One image for every everynode service. There is no build step: TypeScript
# runs through tsx. The command picks the service (default: the HTTP API):
#   docker run --init -e REDIS_URL=redis://host:6379 -p 7700:7700 everynode
#   docker run --init -e REDIS_URL=redis://host:6379 everynode node --import tsx services/worker/src/main.ts
#   docker run --init -e REDIS_URL=redis://host:6379 everynode node --import tsx services/agent/src/main.ts
# (--init, or `init: true` in compose, so that SIGTERM reaches node and stops it cleanly.)
FROM node:22-slim

WORKDIR /app
COPY . .
# tsx is a devDependency and is needed at run time, so install everything.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

ENV NODE_ENV=production
USER node
EXPOSE 7700
CMD ["node", "--import", "tsx", "services/api/src/main.ts"]
