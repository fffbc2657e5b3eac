# The Odoo image of this repository: a pinned Odoo release, the repository's addons, the
# third-party repositories of repos.yaml, and the Python requirements of all of them.
# Built by .github/workflows/pr-environment.yml for every PR head (tagged pr-<n>-<sha>, deployed by
# digest), by staging-deploy.yml, or by a dev/PR stack itself when odoo-platform:odooBuildContext is set.
# `odoo-platform repo check` reads this file: the COPY lines below are how repository folders map to
# the addons path (odoo-platform:addonsPath).
ARG ODOO_IMAGE=odoo:17.0
# The series odoo-platform:odooVersion names: the build fails when the base image is another one.
ARG ODOO_SERIES=17.0

# --- Third-party repositories of repos.yaml (git-aggregator format), fetched at build time.
FROM ${ODOO_IMAGE} AS third-party
USER root
WORKDIR /build
# `Dockerfile` is always there, so the COPY succeeds when the repository has no repos.yaml.
COPY Dockerfile repos.yam[l] /build/
RUN set -eu; \
    if [ -f repos.yaml ]; then \
        PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir 'git-aggregator==4.1'; \
        gitaggregate -c repos.yaml --jobs 4; \
        find . -mindepth 1 -name .git -prune -exec rm -rf {} +; \
    fi; \
    rm -f Dockerfile repos.yaml; \
    mkdir -p addons

FROM ${ODOO_IMAGE}
ARG ODOO_SERIES
ARG GIT_SHA=unknown
USER root
# The image's Odoo must be the series the stack deploys (odoo/release.py: version_info).
RUN series="$(python3 -c 'import odoo.release as r; print(r.serie if hasattr(r, "serie") else r.series)')"; \
    if [ "$series" != "$ODOO_SERIES" ]; then \
        echo "the base image runs Odoo $series, but odoo-platform:odooVersion is $ODOO_SERIES: pass --build-arg ODOO_IMAGE=odoo:$ODOO_SERIES" >&2; exit 1; \
    fi
COPY --chown=odoo:odoo addons/ /mnt/extra-addons/
COPY --from=third-party --chown=odoo:odoo /build/addons/ /mnt/extra-addons/
# Python requirements of every addons folder and every module (Odoo.sh reads each requirements.txt).
RUN find /mnt/extra-addons -maxdepth 5 -name requirements.txt -print0 | sort -z \
        | xargs -0 -r -n1 sh -c 'echo "requirements: $0"; PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --no-cache-dir -r "$0"'
LABEL org.opencontainers.image.revision="${GIT_SHA}" \
      org.opencontainers.image.source="odoo-platform" \
      org.odoo.series="${ODOO_SERIES}"
USER odoo
