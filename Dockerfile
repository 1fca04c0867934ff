# syntax=docker/dockerfile:1
# The image an Azure ML profiling job runs (README: "Run as an Azure ML job"): Node 20, modelprof,
# and the real wrk, wrk2 and labench, so PROFILING_TOOL and ENGINE=external work as on a workstation.
#
#   docker build -t modelprof .                      # anywhere with Docker and internet access
#   az ml environment create --name modelprof --build-context . --dockerfile-path Dockerfile
#                                                    # or let Azure ML build it in the workspace
#
# wrk2 and LaBench are built from the same pinned upstream commits as the binaries modelprof is
# tested against (../shared/tools/README.md in the development setup).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- wrk2 (giltene/wrk2, Apache-2.0), bundled LuaJIT, system OpenSSL 3 -------------------------
FROM debian:bookworm-slim AS wrk2
ARG WRK2_COMMIT=44a94c17d8e6
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential ca-certificates git libssl-dev zlib1g-dev unzip \
 && rm -rf /var/lib/apt/lists/*
RUN git clone https://github.com/giltene/wrk2.git /src/wrk2 \
 && cd /src/wrk2 && git checkout "$WRK2_COMMIT" \
 && make -j"$(nproc)" \
 && install -D -m 0755 wrk /out/wrk2 \
 && install -D -m 0644 LICENSE /out/licenses/wrk2/LICENSE \
 && install -D -m 0644 NOTICE /out/licenses/wrk2/NOTICE

# --- LaBench (microsoft/LaBench, MIT) ----------------------------------------------------------
FROM golang:1.22-bookworm AS labench
ARG LABENCH_COMMIT=062bcb8751ee
RUN git clone https://github.com/microsoft/LaBench.git /src/labench \
 && cd /src/labench && git checkout "$LABENCH_COMMIT" \
 && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/labench .
RUN cd /src/labench && mkdir -p /out/licenses/labench \
 && for notice in LICENSE LICENSE.md NOTICE.md; do if [ -f "$notice" ]; then cp "$notice" /out/licenses/labench/; fi; done

# --- modelprof: compile TypeScript, keep production dependencies only ---------------------------
FROM ${NODE_IMAGE} AS app
WORKDIR /opt/modelprof
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY src ./src
COPY schema ./schema
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
# scripts/build.mjs compiles and leaves every package.json bin executable.
RUN node scripts/build.mjs \
 && rm -rf dist/test dist/bench test bench src scripts \
 && npm prune --omit=dev --no-audit --no-fund

# --- the job image ------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 wrk \
 && rm -rf /var/lib/apt/lists/*
COPY --from=wrk2 /out/wrk2 /usr/local/bin/wrk2
COPY --from=labench /out/labench /usr/local/bin/labench
COPY --from=wrk2 /out/licenses /usr/share/doc/modelprof-tools/
COPY --from=labench /out/licenses /usr/share/doc/modelprof-tools/
COPY --from=app /opt/modelprof /opt/modelprof
RUN ln -s /opt/modelprof/dist/src/cli/main.js /usr/local/bin/modelprof \
 && modelprof --version && modelprof tools
# Azure ML uploads ./outputs of the job's working directory; modelprof writes there by default.
ENTRYPOINT []
CMD ["modelprof", "--help"]
