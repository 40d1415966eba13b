#!/bin/sh
# Prints line coverage per directory from an lcov .info file.
#   tools/covsummary.sh FILE.info PREFIX-TO-STRIP
printf "%-24s %8s %8s %7s\n" directory lines hit cover
awk -v pre="$2" '
/^SF:/ { f = substr($0, 4); if (index(f, pre) == 1) f = substr(f, length(pre) + 1)
         d = f; sub("/[^/]*$", "", d) }
/^LF:/ { lf[d] += substr($0, 4) }
/^LH:/ { lh[d] += substr($0, 4) }
END { for (k in lf) printf "%s %d %d\n", k, lf[k], lh[k] }' "$1" | sort | awk '
{ printf "%-24s %8d %8d %6.1f%%\n", $1, $2, $3, $2 ? 100 * $3 / $2 : 0; tl += $2; th += $3 }
END { printf "%-24s %8d %8d %6.1f%%\n", "total", tl, th, tl ? 100 * th / tl : 0 }'
