# The operations CLI (`odoo-platform`) as an image, for the steps that run next to the data on a
# Docker host: the staging refresh (components/NeutralizedDatabase.ts) and the weekly sanitized
# snapshot of production (.github/workflows/staging-snapshot.yml). Built on the host itself
# (components/OpsImage.ts; the workflow builds it with DOCKER_HOST=ssh://…), never pushed.
FROM node:20-bookworm-slim
# pg_dump / pg_restore 15, matching the servers (the CLI refuses an older pg_dump than the server).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/odoo-platform
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY bin/ bin/
COPY config/ config/
COPY components/ components/
COPY ops/ ops/
RUN chmod +x bin/odoo-platform.js && ln -s /opt/odoo-platform/bin/odoo-platform.js /usr/local/bin/odoo-platform
ENTRYPOINT ["odoo-platform"]
