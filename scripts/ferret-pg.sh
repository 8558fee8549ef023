#!/usr/bin/env bash
# Runs the Mongo-path tests on FerretDB over PostgreSQL (`make ferret-pg`)
# instead of over SQLite files as `make test` does: starts a throwaway
# PostgreSQL cluster (initdb into a temporary directory, listening only on
# a unix socket there, fsync off; as the current user, or as postgres when
# run as root, which PostgreSQL refuses), points ZHUPEI_TEST_FERRET_PG at
# it (store/mongo/ferret then gives every FerretDB a database of its own
# there) and runs the store contract suite's FerretDB leg and
# e2e's TestTwoInstancesOneStore, or `go test` with the arguments given:
#   bash scripts/ferret-pg.sh -count=1 -run TestStoreOutage ./e2e/
# The cluster is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$pgbin" ] && [ -x "$pgbin/initdb" ] || {
	echo "no PostgreSQL server under /usr/lib/postgresql (Debian: apt-get install postgresql)"
	exit 1
}
tmp=$(mktemp -d)
user=$(id -un)
as=()
if [ "$(id -u)" -eq 0 ]; then
	user=postgres
	as=(runuser -u postgres --)
	chown postgres "$tmp"
fi
trap '"${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
"${as[@]}" "$pgbin/initdb" -D "$tmp/data" -U "$user" -A trust -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 ||
	{ cat "$tmp/initdb.log"; exit 1; }
"${as[@]}" "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/postgresql.log" -w \
	-o "-c listen_addresses='' -k $tmp -p 5432 -c fsync=off -c max_connections=200" start >/dev/null ||
	{ cat "$tmp/postgresql.log"; exit 1; }
echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $tmp/.s.PGSQL.5432"
export ZHUPEI_TEST_FERRET_PG="postgres://$user@/postgres?host=$tmp&port=5432"
if [ $# -gt 0 ]; then
	go test "$@"
	exit
fi
status=0
go test -count=1 -timeout 30m -run '^TestStore$' ./store/mongo/ || status=1
go test -count=1 -timeout 10m -run '^TestTwoInstancesOneStore$' -v ./e2e/ || status=1
exit $status
