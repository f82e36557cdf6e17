# The API (and the built SPA, when present) in one image.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY backend backend
COPY tests tests
COPY migrations migrations
RUN cargo build --release -p skillcomp

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /srv/skillcomp skillcomp
WORKDIR /srv/skillcomp
COPY --from=build /src/target/release/skillcomp /usr/local/bin/skillcomp
USER skillcomp
ENV SKILLCOMP_BIND=0.0.0.0:8080 RUST_LOG=info
EXPOSE 8080
CMD ["skillcomp", "serve"]
