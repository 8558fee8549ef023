#!/usr/bin/env bash
# Measures the public board's JSON endpoint and the board page with wrk at 100
# connections against a freshly built zhupei on the embedded store with the
# demo year, then a trivial Fiber handler on the same machine, and prints the
# ratio. Loopback only; each run lasts DURATION (default 10s).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-100}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/zhupei" ./cmd/zhupei
go build -o "$tmp/baseline" ./bench/baseline
ZHUPEI_HTTP_ADDR=127.0.0.1:18080 ZHUPEI_DATA_DIR="$tmp/data" ZHUPEI_LOG_LEVEL=error "$tmp/zhupei" serve >"$tmp/zhupei.log" 2>&1 &
"$tmp/baseline" -addr 127.0.0.1:18081 &
for port in 18080 18081; do
	for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 || curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break; sleep 0.2; done
done

rps() { wrk -t2 -c"$CONNS" -d"$DURATION" "$1" | tee /dev/stderr | awk '/Requests\/sec/ {print $2}'; }
board=$(rps http://127.0.0.1:18080/api/v1/programs)
page=$(rps http://127.0.0.1:18080/board)
base=$(rps http://127.0.0.1:18081/)
echo
echo "board API  req/s: $board"
echo "board page req/s: $page"
echo "baseline   req/s: $base"
awk -v a="$board" -v p="$page" -v b="$base" 'BEGIN {printf "ratio board API/baseline: %.2f, board page/baseline: %.2f\n", a/b, p/b}'
