# selfserve in a container: a release build on Debian bookworm's Rust image, run on
# debian:bookworm-slim as an unprivileged user. README "Deployment" has the build and run
# commands.
#
#   docker build -t selfserve .
#   docker run -d -p 8080:8080 -v kb-data:/var/lib/selfserve \
#     -v "$PWD/content:/srv/selfserve/content:ro" selfserve

ARG RUST_VERSION=1.95

# ── build ──
FROM rust:${RUST_VERSION}-bookworm AS builder
WORKDIR /src

# Empty files for the targets Cargo.toml declares but the build does not need (benches, the
# relevance test): cargo refuses a manifest whose targets have no file.
COPY deploy/stub-targets.sh /usr/local/bin/stub-targets

# The dependencies alone, on empty sources: this layer is rebuilt only when Cargo.toml or
# Cargo.lock change, so an edit to the code recompiles selfserve and nothing else.
COPY Cargo.toml Cargo.lock ./
RUN stub-targets && cargo build --release --locked --bin selfserve \
    && rm -rf src benches tests target/release/.fingerprint/selfserve-* \
       target/release/deps/selfserve-* target/release/deps/libselfserve-*

# The crate: its sources and the files it embeds (static/, the semantic model in models/).
COPY src src
COPY static static
COPY models models
RUN stub-targets && touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin selfserve \
    && install -m 755 target/release/selfserve /usr/local/bin/selfserve \
    && selfserve --version

# ── run ──
FROM debian:bookworm-slim
# The binary needs glibc and libgcc_s only (both in the base image); no curl: the health
# check below speaks HTTP through bash's /dev/tcp.
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/selfserve \
      --shell /usr/sbin/nologin selfserve \
    && mkdir -p /var/lib/selfserve /srv/selfserve \
    && chown selfserve:selfserve /var/lib/selfserve
COPY --from=builder /usr/local/bin/selfserve /usr/local/bin/selfserve
# The sample knowledge base, replaced by mounting your content repository over it.
COPY content /srv/selfserve/content

# Every setting is a SELFSERVE_* variable (README "Configuration"): override with `-e`.
ENV SELFSERVE_CONTENT=/srv/selfserve/content \
    SELFSERVE_DATA=/var/lib/selfserve \
    SELFSERVE_ADDR=0.0.0.0:8080 \
    SELFSERVE_LOG_FORMAT=json

# The database (SQLite unless SELFSERVE_DATABASE names PostgreSQL), the search index and
# the semantic cache live in the data volume; content is read-only to the server.
VOLUME ["/var/lib/selfserve", "/srv/selfserve/content"]
USER selfserve:selfserve
WORKDIR /var/lib/selfserve
EXPOSE 8080

# GET /healthz on the port SELFSERVE_ADDR names: 200 once content is loaded and the
# database takes writes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SELFSERVE_ADDR##*:} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]

ENTRYPOINT ["selfserve"]
CMD ["serve"]
