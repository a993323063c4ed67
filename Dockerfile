# Front-end assets (Apache ECharts) from the npm registry, pinned by package-lock.json.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements/prod.lock requirements/prod.lock
RUN pip install --require-hashes -r requirements/prod.lock

COPY . .
COPY --from=assets /assets/node_modules/echarts/dist node_modules/echarts/dist
# Static files are collected at build time; the key here only lets settings load. Which files
# are left out is eldercare/staticfiles.py's (the tests collect with the same list).
RUN SECRET_KEY=build-only-not-used-at-runtime python manage.py collectstatic --noinput \
    && useradd --system --home /app eldercare && chown -R eldercare /app
USER eldercare

EXPOSE 8000
