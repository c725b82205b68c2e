# syntax=docker/dockerfile:1
#
# The collectivus image: `ctvs` for every role (standalone, gateway, server, rendezvous) with everything each needs,
# query, export and the daily Parquet archive included (DuckDB's native binding is in the image).
#
# How ctvs runs here: Deno (from its npm package) runs the sources staged by scripts/stage_runtime.ts, with a
# node_modules holding only the packages the program imports. That is what `deno compile` embeds in a binary, and it
# builds anywhere the npm registry and Debian's mirror are reachable, for every CPU Debian and Deno support.
#
# Build:  scripts/container/build_image.sh            (podman; makes the Debian base from Debian's packages if needed)
#         docker buildx build --platform linux/amd64,linux/arm64 -t collectivus .
# Run:    docker run -e COLLECTIVUS_CONFIG_JSON="$(cat config.json)" -v ctvs-data:/data -p 4318:4318 collectivus
#         (the role comes from the config; docs/container.md)

ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
# Both stages carry this label, so the build script can prune the images earlier builds left untagged.
LABEL io.collectivus.image="build"
ARG DENO_VERSION=2.9.6
ENV DEBIAN_FRONTEND=noninteractive DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && rm -rf /var/lib/apt/lists/*
# Builds behind a TLS-inspecting proxy pass its CA bundle as the optional build secret `ca_bundle` (the build script
# passes the host's); it is mounted for these steps only, never stored in a layer.
# The deno package's optional dependency for this CPU holds the real binary; its install script is not needed.
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca_bundle; fi \
 && npm install --prefix /opt/deno-npm --no-audit --no-fund --ignore-scripts --loglevel=error "deno@${DENO_VERSION}" \
 && install -m 0755 /opt/deno-npm/node_modules/@deno/linux-*-glibc/deno /usr/local/bin/deno \
 && deno --version
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/deno \
    --mount=type=secret,id=ca_bundle \
    if [ -s /run/secrets/ca_bundle ]; then export DENO_CERT=/run/secrets/ca_bundle; fi \
 && deno run --allow-all scripts/stage_runtime.ts --out /app --launcher \
 && /app/bin/ctvs --version

FROM ${BASE_IMAGE}
LABEL io.collectivus.image="ctvs" \
      org.opencontainers.image.title="collectivus" \
      org.opencontainers.image.description="ctvs: recording LLM proxy, OTLP/HTTP receiver, local SQL over the recordings" \
      org.opencontainers.image.source="https://github.com/hyparam/collectivus" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /usr/local/bin/deno /usr/local/bin/deno
COPY --from=build /app /app
RUN ln -s /app/bin/ctvs /usr/local/bin/ctvs \
 && groupadd --system --gid 10001 ctvs \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/ctvs --create-home --shell /usr/sbin/nologin ctvs \
 && mkdir -p /data \
 && chown ctvs:ctvs /data
# The image is updated as a whole, so ctvs never checks npm for a newer version; Deno's transpile cache goes to /tmp,
# which any user the container is run as can write.
ENV COLLECTIVUS_DISABLE_UPDATE_CHECK=1 DENO_NO_UPDATE_CHECK=1 DENO_DIR=/tmp/deno-cache
USER ctvs
WORKDIR /data
VOLUME ["/data"]
# OTLP/HTTP, proxy, Central control plane, rendezvous (each only when the config or command starts it).
EXPOSE 4318 8787 8788 8789
# /health of the config's role (the control plane's on a Central server; the listeners' banner on a standalone host).
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["ctvs", "healthcheck"]
ENTRYPOINT ["ctvs"]
CMD ["--config-env", "COLLECTIVUS_CONFIG_JSON"]
