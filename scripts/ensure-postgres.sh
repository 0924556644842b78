#!/usr/bin/env bash
# Starts a PostgreSQL server on loopback (Debian's cluster) and makes sure the test role exists.
# Prints the DATABASE_URL to use, and nothing else, on stdout.
set -euo pipefail
PGPORT="${JIESU_PG_PORT:-5432}"
USER_NAME="${JIESU_PG_USER:-jiesu}"
PASSWORD="${JIESU_PG_PASSWORD:-jiesu-test}"
DB_NAME="${JIESU_PG_DB:-jiesu}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

start_cluster() {
  local version
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! $SUDO pg_lsclusters -h | grep -q "^$version main"; then
    $SUDO pg_createcluster "$version" main -p "$PGPORT"
  fi
  if ! $SUDO pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
    $SUDO pg_ctlcluster "$version" main start
  fi
  for _ in $(seq 1 30); do
    as_postgres psql -p "$PGPORT" -qAtc "select 1" >/dev/null 2>&1 && break
    sleep 1
  done
  as_postgres psql -p "$PGPORT" -qAtc "select 1 from pg_roles where rolname='$USER_NAME'" | grep -q 1 ||
    as_postgres psql -p "$PGPORT" -qc "create role $USER_NAME login createdb password '$PASSWORD'"
  as_postgres psql -p "$PGPORT" -qAtc "select 1 from pg_database where datname='$DB_NAME'" | grep -q 1 ||
    as_postgres createdb -p "$PGPORT" -O "$USER_NAME" "$DB_NAME"
}

# The server started here outlives this script: it must not inherit the stdout that a
# caller's $(...) is reading, or the caller waits forever; and pg_ctlcluster's chatter
# ("Removed stale pid file.") must not end up in DATABASE_URL.
start_cluster </dev/null >&2
echo "postgres://$USER_NAME:$PASSWORD@127.0.0.1:$PGPORT/$DB_NAME"
