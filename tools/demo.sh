#!/bin/sh
# The main job of `make demo`: the shipped demo traces replayed on every model
# of this build, side by side, with the oracle check on.
#   tools/demo.sh PATH/TO/iommusim
#
# traces/demo/forgot-invalidation.trace is meant to be caught: --check
# reports its stale translation and its use-after-unmap on stderr, and the
# trace declares both (`check check.stale == 1`), so the run exits 0 when
# exactly those findings appear and `make demo` fails only if the checker
# finds something else or misses them.
set -eu
bin=$1
if ls traces/demo/*.trace >/dev/null 2>&1 && "$bin" replay --help >/dev/null 2>&1; then
	echo "iommusim demo: the traces in traces/demo replayed on every model, with --check"
	echo "(findings the traces declare are reported on stderr and do not fail the run)"
	echo
	exec "$bin" replay --model all --check traces/demo/*.trace
fi
echo "iommusim demo: page tables in every format, built by the generic mapper and"
echo "walked step by step by the generic walker."
echo
exec "$bin" tables
