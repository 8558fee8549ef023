#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a Debian machine when it is
# missing: Debian packages (a CJK font for the PDF form, chromium for the
# browser tests, poppler-utils for the PDF text checks) and the Go modules.
# Usage: scripts/deps.sh run|test|bench
set -euo pipefail

want=()
need() { # need FILE PACKAGE: want PACKAGE unless FILE exists
	[ -e "$1" ] || want+=("$2")
}

need /usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts-wqy-microhei
case "${1:-run}" in
test)
	need /usr/bin/chromium chromium
	need /usr/bin/pdftotext poppler-utils
	;;
bench)
	need /usr/bin/wrk wrk
	;;
esac

if [ ${#want[@]} -gt 0 ]; then
	echo "installing Debian packages: ${want[*]}"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi

go mod download
