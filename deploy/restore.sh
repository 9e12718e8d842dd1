#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into the database of DATABASE_URL (an empty one, or the CAC's own:
# its tables are dropped and recreated) and, with --media DIR and CAC_S3_BUCKET set, the media bucket.
#   deploy/restore.sh /backups/db/cac-20261202T020000Z.dump [--media /backups/media]
# Stop the web, workers and beat first (docker compose stop web worker worker-deadlines beat).
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL}"
dump="${1:?the .dump file to restore}"
shift
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$DATABASE_URL" "$dump"
echo "database restored from $dump"
if [ "${1:-}" = "--media" ]; then
  : "${CAC_S3_BUCKET:?set CAC_S3_BUCKET to restore the media}"
  python "$(dirname "$0")/media_backup.py" restore "${2:?the media folder of the backup}"
fi
