#!/usr/bin/env bash
# Request overhead in executed instructions (valgrind/callgrind): deterministic, so it does not
# depend on the machine's load the way requests per second do.
#
# Runs the `overhead` binary under callgrind for each client alone, at two call counts, and
# reports instructions per call as the difference divided by the extra calls (start-up, the
# server's set-up and the same-work check cancel out). The count covers the whole process: the
# client and the loopback server, which does the same work for both clients.
#
#   bash benches/scripts/overhead_instructions.sh            # 1000 and 3000 calls at concurrency 1
#   C=64 N1=2000 N2=6000 bash benches/scripts/overhead_instructions.sh   # at concurrency 64
set -euo pipefail
cd "$(dirname "$0")/../.."
N1=${N1:-1000}
N2=${N2:-3000}
C=${C:-1}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
cargo build --release -q -p devrev-benches --bin overhead
bin="${CARGO_TARGET_DIR:-target}/release/overhead"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() { # $1 client, $2 calls -> instructions of the whole run
  valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2" "$bin" --only "$1" --requests "$2" --concurrency "$C" \
    >/dev/null 2>"$out/log.$1.$2"
  sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/log.$1.$2"
}

echo "# request overhead in instructions per call (callgrind, concurrency $C, calls $N1 and $N2)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A per_call
for client in generated hand; do
  a=$(count "$client" "$N1")
  b=$(count "$client" "$N2")
  per_call[$client]=$(( (b - a) / (N2 - N1) ))
  echo "$client: ${per_call[$client]} instructions per call"
done
g=${per_call[generated]}
h=${per_call[hand]}
awk -v g="$g" -v h="$h" 'BEGIN {
  printf "extra per call: %d instructions (%.1f%%); ratio hand/generated (the req/s ratio if time followed instructions): %.3f\n",
    g - h, (g - h) * 100 / h, h / g
}'
