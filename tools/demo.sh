#!/bin/sh
# The main job of `make demo`: what iommusim can show today.
#   tools/demo.sh PATH/TO/iommusim
set -eu
bin=$1
if ls traces/demo/*.trace >/dev/null 2>&1 && "$bin" replay --help >/dev/null 2>&1; then
	exec "$bin" replay --model all traces/demo/*.trace
fi
echo "iommusim demo: page tables in every format, built by the generic mapper and"
echo "walked step by step by the generic walker."
echo
exec "$bin" tables
