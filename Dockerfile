# The Odoo image of this repository: a pinned Odoo release plus the addons in addons/.
# Built by .github/workflows/pr-environment.yml for every PR head (tagged pr-<n>-<sha>, deployed by
# digest), or by a dev/PR stack itself when odoo-platform:odooBuildContext is set.
ARG ODOO_IMAGE=odoo:17.0
FROM ${ODOO_IMAGE}

ARG GIT_SHA=unknown
USER root
COPY --chown=odoo:odoo addons/ /mnt/extra-addons/
# Python dependencies of our addons (Odoo.sh reads requirements.txt the same way).
RUN if [ -f /mnt/extra-addons/requirements.txt ]; then \
        PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r /mnt/extra-addons/requirements.txt; \
    fi
LABEL org.opencontainers.image.revision="${GIT_SHA}" \
      org.opencontainers.image.source="odoo-platform"
USER odoo
