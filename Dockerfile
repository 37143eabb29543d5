# Elyzor service image.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
# Every workspace's manifest, so that `npm ci` installs from the lockfile as it stands.
COPY packages/contract/package.json packages/contract/
COPY packages/core/package.json packages/core/
COPY packages/server/package.json packages/server/
COPY packages/keys/package.json packages/keys/
COPY packages/sdk/package.json packages/sdk/
COPY packages/dashboard/package.json packages/dashboard/
# The sources are not here yet: the root `prepare` build runs below, as `npm run build`.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY scripts scripts
COPY packages packages
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
# The service runs on contract, core and server; node_modules links every workspace.
COPY --from=build /app/packages/contract/package.json packages/contract/
COPY --from=build /app/packages/contract/dist packages/contract/dist
COPY --from=build /app/packages/core/package.json packages/core/
COPY --from=build /app/packages/core/dist packages/core/dist
COPY --from=build /app/packages/server/package.json packages/server/
COPY --from=build /app/packages/server/dist packages/server/dist
COPY --from=build /app/packages/server/worker packages/server/worker
COPY --from=build /app/packages/dashboard/dist packages/dashboard/dist
USER node
EXPOSE 3000
CMD ["node", "packages/server/dist/main.js"]
