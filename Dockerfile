# careersbot: a static binary with its index built in, run as non-root.
# The build steps are the commands .ci/run runs (no Docker engine runs in CI).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/careersbot .
# Build the index into the image, so a container answers from its first
# second and never needs to write.
RUN mkdir -p /out/data && CAREERSBOT_DATA_DIR=/out/data /out/careersbot index

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/careersbot /careersbot
COPY --from=build --chown=65532:65532 /out/data /data
ENV CAREERSBOT_DATA_DIR=/data \
    CAREERSBOT_HTTP_ADDR=:8080
USER 65532:65532
EXPOSE 8080
# distroless has no shell or curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 CMD ["/careersbot", "healthcheck"]
ENTRYPOINT ["/careersbot", "serve"]
