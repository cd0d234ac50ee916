# syntax=docker/dockerfile:1
#
# Every mailcluster image from one Dockerfile; pick the image with --target:
#
#   docker build --target operator    -t ghcr.io/mailcluster/operator:0.1.0 .
#   docker build --target smtp-ingest -t ghcr.io/mailcluster/smtp-ingest:0.1.0 .
#   docker build --target writer      -t ghcr.io/mailcluster/writer:0.1.0 .
#   docker build --target web         -t ghcr.io/mailcluster/web:0.1.0 .
#   docker build --target delivery    -t ghcr.io/mailcluster/delivery:0.1.0 .
#
# The names and tags are the chart's (charts/mailcluster-operator/values.yaml), which a test keeps
# equal to the operator's defaults (operator/src/images.ts). The images run the TypeScript sources
# directly (Node 24 strips the types), as user 1000 (the pods' runAsUser), and write nothing
# outside /tmp, so they run with a read-only root file system.

# The repo's Node (the node devDependency in package-lock.json; a test keeps them equal). Debian,
# not Alpine: @node-rs/argon2 ships prebuilt binaries for glibc.
ARG NODE_VERSION=24.21.0

FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim AS base
WORKDIR /app

# The lockfile and every workspace's package.json, nothing else: the dependency layers below are
# rebuilt when these change, not when a source file does.
FROM base AS manifests
COPY . /src
RUN mkdir /manifests && cd /src && cp package-lock.json /manifests/ \
 && find . -name node_modules -prune -o -name package.json -exec cp --parents {} /manifests/ \;

# Production dependencies of one workspace and of the workspaces it uses, exactly as locked. No
# package needs an install script (argon2's binary comes as an optional package).
FROM base AS deps-operator
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=operator

FROM base AS deps-smtp-ingest
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=services/smtp-ingest

FROM base AS deps-writer
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=services/writer

FROM base AS deps-web
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=services/web

FROM base AS deps-delivery
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace=services/delivery

# What every image runs as. The files stay root's: the app cannot change its own code.
FROM base AS runtime
ENV NODE_ENV=production
USER 1000:1000
ENTRYPOINT ["node"]

FROM runtime AS operator
COPY --from=deps-operator /app/ ./
COPY services/common/ services/common/
COPY operator/ operator/
EXPOSE 9090
CMD ["operator/src/main.ts"]

FROM runtime AS smtp-ingest
COPY --from=deps-smtp-ingest /app/ ./
COPY services/ services/
EXPOSE 2525 2587 9090
CMD ["services/smtp-ingest/src/main.ts"]

FROM runtime AS writer
COPY --from=deps-writer /app/ ./
COPY services/ services/
EXPOSE 9090
CMD ["services/writer/src/main.ts"]

FROM runtime AS web
COPY --from=deps-web /app/ ./
COPY services/ services/
EXPOSE 8080 9090
CMD ["services/web/src/main.ts"]

FROM runtime AS delivery
COPY --from=deps-delivery /app/ ./
COPY services/ services/
EXPOSE 9090
CMD ["services/delivery/src/main.ts"]
