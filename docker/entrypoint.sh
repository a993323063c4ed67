#!/bin/sh
# Web container start: bring the schema and the official divisions up to date, then serve.
set -e
python manage.py migrate --noinput
python manage.py load_regions
exec "$@"
