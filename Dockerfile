# The router image: `router serve` on port 8080; migrations run at start.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY router ./router
COPY connectors ./connectors
COPY simulators ./simulators
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system --home /app router && chown -R router /app
USER router
ENV ROUTER_HOST=0.0.0.0 ROUTER_PORT=8080 ROUTER_DATA_DIR=/app/.data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["router", "serve"]
