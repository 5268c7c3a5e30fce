# syntax=docker/dockerfile:1
# Criminal Justice Partnership Portal: one image for web (gunicorn), worker, beat and migrate.
# See docs/production.md.

# ---- Stage 1: front-end assets (GOV.UK Frontend, Chart.js, axe-core, own Sass) ---------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY scripts/build-assets.sh scripts/build-assets.sh
COPY static/src static/src
# The script writes static/build (the same step `make assets` runs on a developer machine).
RUN bash scripts/build-assets.sh

# ---- Stage 2: the application -----------------------------------------------------------------
FROM python:3.11-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings \
    DEBUG=0 \
    MEDIA_ROOT=/data/media \
    VAR_DIR=/app/var

# Pango and a font for WeasyPrint (the PDF of an agreed plan).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them; the code runs from /app.
RUN python -m venv /opt/venv
COPY requirements/lock.txt requirements/lock.txt
# The versions tested, pinned (with the optional GOV.UK Notify client, so either email adapter works).
RUN pip install --no-cache-dir -r requirements/lock.txt

# The source tree, listed explicitly so local state (.venv, var/, .env, node_modules) never
# enters the image. Add a line here when a new top-level app folder appears.
COPY manage.py ./
COPY portal/ portal/
COPY partners/ partners/
COPY targets/ targets/
COPY callins/ callins/
COPY funding/ funding/
COPY templates/ templates/
COPY static/ static/
# Built assets come only from the assets stage, never from the build context.
RUN rm -rf static/build
COPY --from=assets /build/static/build static/build
COPY scripts/make_favicon.py scripts/make_favicon.py
RUN python scripts/make_favicon.py static/build/favicon.ico

# collectstatic with the production storage (hashed, compressed, with a manifest). The
# settings pick that storage only with DEBUG off, and then refuse to start without the
# production variables, so the build passes stand-ins for them (a key made for this step
# only); nothing connects to a database, broker or mail server here, and nothing from this
# step reaches the image.
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DATABASE_URL=postgres://build@127.0.0.1:5432/build \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    ALLOWED_HOSTS=localhost \
    PORTAL_BASE_URL=https://localhost \
    EMAIL_HOST=localhost \
    VAR_DIR=/tmp/build-var \
    python manage.py collectstatic --noinput \
    && rm -rf /tmp/build-var \
    && mkdir -p /data/media /data/audit /app/var \
    && chown -R portal:portal /data/media /data/audit /app/var

# Uploaded files: the only state the app keeps on disk. Mount a volume shared by web and worker.
VOLUME ["/data/media", "/data/audit"]

USER 10001:10001
EXPOSE 8000

# Production mode (DEBUG=0 above): the settings refuse to start without DATABASE_URL, REDIS_URL,
# SECRET_KEY, ALLOWED_HOSTS, PORTAL_BASE_URL and a mail route, with DEBUG on, or with placeholder
# keys, naming what to set. The deployment checks run first, so a bad environment stops the
# container at once with that message instead of a worker failing to boot.
CMD ["sh", "-c", "python manage.py check --deploy && exec gunicorn portal.wsgi:application --bind 0.0.0.0:8000 --workers 3 --access-logfile -"]
