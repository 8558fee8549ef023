#!/usr/bin/env bash
# Measures the registration-opening surge: builds zhupei and bench/surge,
# starts zhupei on a fresh temporary data dir (so it creates the demo year,
# open for registration, with the sandbox WeChat) on loopback, and runs the
# surge tool against it. Arguments are passed to the tool, e.g.
#   bash bench/surge.sh -applicants 2000 -clients 300
# Exits non-zero when the tool reports FAIL.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/zhupei" ./cmd/zhupei
go build -o "$tmp/surge" ./bench/surge
# Port 0: the server takes a free port and prints its URL, so that no other
# process on a fixed port can be measured by mistake.
ZHUPEI_HTTP_ADDR=127.0.0.1:0 ZHUPEI_DATA_DIR="$tmp/data" ZHUPEI_LOG_LEVEL=error "$tmp/zhupei" serve >"$tmp/zhupei.log" 2>&1 &
server=$!
url=
for _ in $(seq 100); do
	kill -0 "$server" 2>/dev/null || break
	url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/zhupei.log" | head -n 1 || true)
	[ -n "$url" ] && curl -fs "$url/readyz" >/dev/null 2>&1 && break
	url=
	sleep 0.2
done
[ -n "$url" ] || { echo "zhupei did not start:"; cat "$tmp/zhupei.log"; exit 1; }

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$tmp/surge" -url "$url" "$@" || status=$?
echo "server output (last 10 lines):"
tail -n 10 "$tmp/zhupei.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
