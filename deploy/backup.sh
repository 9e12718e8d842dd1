#!/usr/bin/env bash
# A backup of the CAC: the database (pg_dump, custom format) and, when CAC_S3_BUCKET is set, the media bucket,
# into BACKUP_DIR (default /backups): db/cac-<UTC time>.dump and media/ (a mirror of the bucket). Dumps older than
# BACKUP_KEEP_DAYS (default 14) are removed. Restore: deploy/restore.sh (README, "Backups and restore").
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
dir="${BACKUP_DIR:-/backups}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir/db"
# psycopg-style URLs (postgres://) are libpq URIs too.
pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$dir/db/cac-$stamp.dump.partial"
mv "$dir/db/cac-$stamp.dump.partial" "$dir/db/cac-$stamp.dump"
echo "database: $dir/db/cac-$stamp.dump ($(du -h "$dir/db/cac-$stamp.dump" | cut -f1))"
if [ -n "${CAC_S3_BUCKET:-}" ]; then
  python "$(dirname "$0")/media_backup.py" backup "$dir/media"
fi
find "$dir/db" -name 'cac-*.dump' -mtime +"${BACKUP_KEEP_DAYS:-14}" -delete
