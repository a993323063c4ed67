#!/usr/bin/env bash
# The compose stack's `backup` service: a pg_dump of the database every night, in PostgreSQL's
# custom format (pg_restore reads it, table by table if need be), kept BACKUP_KEEP_DAYS days.
# See docs/backups.md.
#
#   PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE   which database (libpq's own variables)
#   BACKUP_DIR        where the dumps go (default /backups, a volume)
#   BACKUP_AT         the local time of the nightly dump, HH:MM (default 01:30, before the
#                     coverage run at 02:00)
#   BACKUP_KEEP_DAYS  dumps older than this many days are deleted after a good dump (default 14)
#   BACKUP_ONCE=1     dump once and exit (a manual dump: docker compose run --rm -e BACKUP_ONCE=1 backup)
#
# A dump is written to NAME.partial, checked by reading its table of contents back, and only
# then renamed to eldercare-YYYYmmdd-HHMMSS.dump: a file without .partial is whole. The files
# are readable by their owner only (umask 077): they hold password hashes and personal data.
#
# The rows that log someone in are left out (the tables are dumped, empty): the sessions, whose
# key in a cookie is a login, and the API tokens (digests only, but a restore must not bring
# back a token revoked since the dump). After a restore everyone logs in again. The same tables
# the application's export leaves out (backups/archive.py, LOGINS).
set -euo pipefail

BACKUP_DIR=${BACKUP_DIR:-/backups}
BACKUP_AT=${BACKUP_AT:-01:30}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
PGDATABASE=${PGDATABASE:-eldercare}
export PGDATABASE
LOGIN_TABLES=(django_session knox_authtoken)

umask 077
mkdir -p "$BACKUP_DIR"

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') pg-backup: $*"; }

dump_once() {
  local name partial
  name="$BACKUP_DIR/${PGDATABASE}-$(date +%Y%m%d-%H%M%S).dump"
  partial="$name.partial"
  if ! pg_dump --format=custom --compress=6 "${LOGIN_TABLES[@]/#/--exclude-table-data=}" \
      --file="$partial"; then
    rm -f "$partial"
    log "FAILED: pg_dump of $PGDATABASE"
    return 1
  fi
  if ! pg_restore --list "$partial" >/dev/null; then
    rm -f "$partial"
    log "FAILED: the dump of $PGDATABASE cannot be read back"
    return 1
  fi
  mv "$partial" "$name"
  log "wrote $name ($(du -h "$name" | cut -f1))"
  # retention: only after a good dump, so that a failing night never empties the folder
  find "$BACKUP_DIR" -maxdepth 1 -name "${PGDATABASE}-*.dump" -mmin +$((BACKUP_KEEP_DAYS * 1440)) \
    -print -delete | sed 's/^/pg-backup: deleted old /'
  find "$BACKUP_DIR" -maxdepth 1 -name "${PGDATABASE}-*.dump.partial" -mmin +1440 -delete
}

if [ "${BACKUP_ONCE:-0}" = "1" ]; then
  dump_once
  exit $?
fi

# a new stack (or one that was down last night) gets its first dump at once
if [ -z "$(find "$BACKUP_DIR" -maxdepth 1 -name "${PGDATABASE}-*.dump" -mmin -1440 -print -quit)" ]; then
  dump_once || true
fi
while true; do
  now=$(date +%s)
  next=$(date -d "today $BACKUP_AT" +%s)
  if [ "$next" -le "$now" ]; then
    next=$(date -d "tomorrow $BACKUP_AT" +%s)
  fi
  log "next dump at $(date -d "@$next" '+%Y-%m-%d %H:%M')"
  sleep $((next - now))
  dump_once || true
done
