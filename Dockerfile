# A serve-only image of infosec-law-kg: the same install script as a checkout (scripts/install.sh --serve-only: the
# package without its test extras), then `kg serve` on port 8080. Kept this thin on purpose: no container registry is
# reachable from CI, so the image is not built or tested there; scripts/install.sh is.
#   docker build -t infosec-law-kg . && docker run --rm -p 8080:8080 infosec-law-kg
FROM debian:bookworm-slim
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/infosec-law-kg
COPY . .
RUN bash scripts/install.sh --serve-only && rm -rf /var/lib/apt/lists/* /root/.cache
ENV PATH=/opt/infosec-law-kg/.venv/bin:$PATH KG_HOST=0.0.0.0 KG_PORT=8080
EXPOSE 8080
USER 65534
CMD ["kg", "serve"]
