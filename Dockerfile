# readyctl as a container image: a static (musl) binary on distroless, run as
# a non-root user. Built and published by the release workflow; usable alone:
#   docker build -t readyctl .
#   docker run --rm -v "$PWD:/repo:ro" readyctl audit /repo
#
# Base images are pinned by digest (the tag is kept for people); Dependabot's
# docker ecosystem proposes updates (.github/dependabot.yml).

FROM rust:1-alpine@sha256:a10e64dd139b7387337c7fbe8aca31b959b57b2fd4c8ae20a02cf1d6ea424dce AS build
# make: jemalloc's build (tikv-jemalloc-sys) runs configure and make.
RUN apk add --no-cache musl-dev make
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY build build
COPY src src
COPY checks checks
COPY benches benches
# No .git in the build context: the release workflow passes the commit so
# `readyctl init` can pin the Action to it.
ARG READYCTL_RELEASE_COMMIT=""
ENV READYCTL_RELEASE_COMMIT=${READYCTL_RELEASE_COMMIT}
RUN cargo build --release --locked --bin readyctl \
 && install -m 0755 target/release/readyctl /readyctl

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /readyctl /usr/local/bin/readyctl
USER 65532:65532
WORKDIR /repo
# readyctl is a command that runs and exits, not a service: there is nothing
# for a health check to probe.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/readyctl"]
CMD ["audit", "/repo"]
