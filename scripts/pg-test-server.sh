#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests on a Unix socket in a temporary folder and
# prints the SQLAlchemy URL to use. The server stops with `scripts/pg-test-server.sh stop DIR`.
# Why: a bureau with several clerks keeps its database on PostgreSQL, so the importer's SQL is
# tested against a real server, not only SQLite.
set -euo pipefail
if [ "${1:-}" = stop ]; then
  dir="$2"
  runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/pg_ctl" \
    -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }
dir="$(mktemp -d /tmp/certdesk-pg.XXXXXX)"
chown postgres "$dir"
runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
  --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-k $dir -p 55432 -c listen_addresses='' -c fsync=off" start >/dev/null
runuser -u postgres -- "$bin/createdb" -h "$dir" -p 55432 -U postgres certdesk_test
echo "$dir"
echo "postgresql+psycopg://postgres@/certdesk_test?host=$dir&port=55432"
