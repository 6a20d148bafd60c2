#!/bin/sh
# One-shot, in temporalio/admin-tools: creates Temporal's two PostgreSQL databases (persistence and visibility) and
# brings their schemas to the versions this admin-tools release ships. Safe to run again: `create` and `setup-schema`
# on an existing database fail harmlessly (hence `|| true`), `update-schema` applies only what is missing.
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port=${DB_PORT:-5432}
until nc -z "$POSTGRES_SEEDS" "$port"; do
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$port"
  sleep 1
done
for db in temporal temporal_visibility; do
  case $db in
    temporal) versioned=/etc/temporal/schema/postgresql/v12/temporal/versioned ;;
    *) versioned=/etc/temporal/schema/postgresql/v12/visibility/versioned ;;
  esac
  sql="temporal-sql-tool --plugin postgres12 --ep $POSTGRES_SEEDS -p $port -u $POSTGRES_USER --db $db"
  $sql create || true
  $sql setup-schema -v 0.0 || true
  $sql update-schema -d "$versioned"
done
echo "Temporal schemas are up to date"
