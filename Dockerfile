FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements/prod.lock requirements/prod.lock
RUN pip install --require-hashes -r requirements/prod.lock

COPY . .
# Static files are collected at build time; the key here only lets settings load.
RUN SECRET_KEY=build-only-not-used-at-runtime python manage.py collectstatic --noinput \
    && useradd --system --home /app eldercare && chown -R eldercare /app
USER eldercare

EXPOSE 8000
