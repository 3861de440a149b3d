#!/usr/bin/env bash
# The kxen test command: install dependencies, (re)configure when needed,
# build, run `make check`, and end with exactly one line
# "N passed, N failed, N skipped" taken from the test runner's summary.
# Exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

if [ ! -f Makefile ] || [ configure.ac -nt Makefile ] ||
	[ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi
	./configure
fi

if ! make -j2; then
	echo "build failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

# The linux suite boots the default guest: build it (once per machine;
# later runs only check the cache).
if ! bash scripts/build-default-guest.sh; then
	echo "building the default guest failed (see above)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
make check 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# Automake writes the suite log next to the top Makefile.
if [ "$rc" -ne 0 ]; then
	for f in test-suite.log tests/test-suite.log; do
		if [ -f "$f" ]; then
			echo "---- $f ----"
			cat "$f"
		fi
	done
fi

# The runner's own summary lands in its per-test log; fall back to the
# captured output (e.g. when the binary did not build).
summary=$(grep -hE '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' \
	tests/kxen-tests.log "$log" 2>/dev/null | tail -n 1 || true)
if [ -z "$summary" ]; then
	summary="0 passed, 1 failed, 0 skipped"
	rc=1
fi
echo "$summary"
exit "$rc"
