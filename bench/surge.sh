#!/usr/bin/env bash
# Measures the registration-opening surge (`make surge`): builds zhupei,
# bench/baseline and bench/surge, starts zhupei on a fresh temporary data
# dir (so it creates the demo year, open for registration, with the sandbox
# WeChat) and the baselines (bare Fiber handlers) on loopback, and runs the
# surge tool against both. Arguments are passed to the tool, e.g.
#   bash bench/surge.sh -applicants 2000 -clients 300 -duration 60s -ops 1000
# Exits non-zero when the tool reports FAIL.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/zhupei" ./cmd/zhupei
go build -o "$tmp/baseline" ./bench/baseline
go build -o "$tmp/surge" ./bench/surge
# Port 0: each server takes a free port and prints its URL, so that no
# other process on a fixed port can be measured by mistake.
# The tool is the reverse proxy of many clients: their addresses come in
# X-Forwarded-For (binding attempts are limited per client address).
# The access log (a line per request at the default level, info) is off
# unless SURGE_LOG_LEVEL=info asks for it.
ZHUPEI_HTTP_ADDR=127.0.0.1:0 ZHUPEI_DATA_DIR="$tmp/data" ZHUPEI_LOG_LEVEL=${SURGE_LOG_LEVEL:-error} \
	ZHUPEI_HTTP_PROXY_HEADER=X-Forwarded-For ZHUPEI_HTTP_TRUSTED_PROXIES=127.0.0.1 \
	"$tmp/zhupei" serve >"$tmp/zhupei.log" 2>&1 &
server=$!
# The baselines write with zhupei's 16 KB buffer (handlers.writeBuffer):
# the board's answer leaves both in one write. Several of them
# (SURGE_BASELINES, default 4), asked in turn: on this machine two
# processes of one binary may differ by a third in requests/s.
baselines=()
for i in $(seq "${SURGE_BASELINES:-4}"); do
	"$tmp/baseline" -addr 127.0.0.1:0 -write-buffer 16384 >"$tmp/baseline$i.log" 2>&1 &
	baselines+=($!)
done

# waitURL LOG PID PROBE: the first loopback URL printed in LOG once
# URL+PROBE answers, or nothing when PID exits or it takes 20 s.
waitURL() {
	local url
	for _ in $(seq 100); do
		kill -0 "$2" 2>/dev/null || return 0
		url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$1" | head -n 1 || true)
		if [ -n "$url" ] && curl -fs "$url$3" >/dev/null 2>&1; then
			echo "$url"
			return 0
		fi
		sleep 0.2
	done
}
url=$(waitURL "$tmp/zhupei.log" "$server" /readyz)
[ -n "$url" ] || { echo "zhupei did not start:"; cat "$tmp/zhupei.log"; exit 1; }
bases=() pids=()
for i in "${!baselines[@]}"; do
	log="$tmp/baseline$((i + 1)).log"
	base=$(waitURL "$log" "${baselines[$i]}" /)
	[ -n "$base" ] || { echo "baseline did not start:"; cat "$log"; exit 1; }
	bases+=("$base") pids+=("${baselines[$i]}")
done

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$tmp/surge" -url "$url" -baseline "$(IFS=,; echo "${bases[*]}")" -server-pid "$server" \
	-baseline-pid "$(IFS=,; echo "${pids[*]}")" "$@" || status=$?
echo "server output (last 10 lines):"
tail -n 10 "$tmp/zhupei.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
