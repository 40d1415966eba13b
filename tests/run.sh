#!/bin/sh
# Runs every unit-test program under $1/tests and the e2e suite (pytest), and
# ends with one summary line "N passed, N failed".  Exit 1 when anything failed.
#   tests/run.sh BUILD_DIR PYTHON
set -u
dir=$1
py=${2:-/usr/bin/python3}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for t in "$dir"/tests/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	if "$t" >"$log" 2>&1; then status=0; else status=$?; fi
	res=$(grep '^RESULT ' "$log" | tail -n 1)
	if [ -n "$res" ] && [ "$status" -eq 0 ]; then
		p=$(echo "$res" | cut -d' ' -f3); f=$(echo "$res" | cut -d' ' -f4)
	elif [ -n "$res" ]; then
		# Ran to the end but failed (or a sanitizer complained at exit).
		p=$(echo "$res" | cut -d' ' -f3); f=$(echo "$res" | cut -d' ' -f4)
		[ "$f" -eq 0 ] && f=1
	else
		p=0; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL unit/$name (exit $status):"; sed 's/^/    /' "$log" | tail -n 60
	else
		echo "ok   unit/$name: $p checks"
	fi
done

# End-to-end: pytest on the CLI and the shipped traces.
if ls tests/e2e/test_*.py >/dev/null 2>&1; then
	if IOMMUSIM="$dir/iommusim" "$py" -m pytest -q -p no:cacheprovider tests/e2e >"$log" 2>&1; then :; fi
	line=$(grep -E '[0-9]+ (passed|failed)' "$log" | tail -n 1)
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+'); p=${p:-0}
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+'); f=${f:-0}
	e=$(echo "$line" | grep -oE '[0-9]+ error' | grep -oE '[0-9]+'); e=${e:-0}
	f=$((f + e))
	[ -z "$line" ] && f=$((f + 1))
	if [ "$f" -ne 0 ]; then
		echo "FAIL e2e:"; sed 's/^/    /' "$log" | tail -n 80
	else
		echo "ok   e2e: $p tests"
	fi
	passed=$((passed + p)); failed=$((failed + f))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
