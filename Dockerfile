# partner-catalog in a container.
#   docker build -t partner-catalog .
#   docker run -p 8080:8080 -v catalog-data:/data -e CATALOG_ADMIN_KEY=… partner-catalog
#   docker run --rm -v catalog-data:/data partner-catalog partners list
# The build stage runs the Makefile's release build (`swift build -c release --product
# partner-catalog`, with the same system packages as `make deps`); the runtime stage is Swift's slim
# image (the Swift runtime libraries only) plus the shared libraries the binary links.
# Configuration is by environment: every CATALOG_* variable of the README works with `docker run -e`.

ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
# The Makefile's SYSTEM_PACKAGES. Not pinned (DL3008): bookworm's security updates should apply.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libsqlite3-dev zlib1g-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest first: dependencies are fetched again only when it changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product partner-catalog \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir /staging \
    && cp "$bin/partner-catalog" /staging/ \
    # Resource bundles (openapi.json) must sit next to the executable.
    && find "$bin" -maxdepth 1 -name '*.resources' -exec cp -R {} /staging/ \;

FROM swift:${SWIFT_VERSION}-bookworm-slim
# libsqlite3-0, zlib1g, libcurl4: what the binary links besides the Swift runtime; curl for the
# health check; ca-certificates for TLS to PostgreSQL and S3. Not pinned, as above.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libsqlite3-0 zlib1g libcurl4 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 catalog \
    && useradd --system --uid 10001 --gid catalog --home-dir /data --no-create-home --shell /usr/sbin/nologin catalog \
    && mkdir -p /data \
    && chown catalog:catalog /data
COPY --from=build /staging/ /app/

ENV PATH=/app:$PATH \
    CATALOG_HOST=0.0.0.0 \
    CATALOG_PORT=8080 \
    CATALOG_DATA_DIR=/data
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["sh", "-c", "curl -fsS \"http://127.0.0.1:${CATALOG_PORT}/health\" >/dev/null || exit 1"]
ENTRYPOINT ["/app/partner-catalog"]
CMD ["serve"]
