#!/usr/bin/env bash
# Compile time of the generated API (issue 10's performance rows), measured side by side:
#
#   attr   the crate at HEAD with `--features full`: every family, `#[devrev_endpoint]` on
#          every request, `derive(Page)` on every list answer;
#   floor  the same models and request structs with serde derives only: the attribute
#          lines, `Page` derives and `#[page(items)]` removed (the floor any Rust client of
#          this API pays).
# Both trees drop the hand-written family companions (`src/extras/*.rs` but the model
# helpers in `src/models/`, and `src/reconcile.rs`), which call the endpoints and so cannot build without the attribute; what differs is the
# attribute's cost alone.
#
# Also measured, on HEAD as it is (companions included): the default build
# (`cargo build -p devrev --lib`) against BASE (default: the commit before the generator,
# b4b30bb), and `cargo doc --features full`. PARTS=default,doc skips the full builds.
#
# Each round touches src/lib.rs and times a debug build of the crate alone (dependencies
# built once beforehand, CARGO_INCREMENTAL=0, one shared target dir per tree), rounds
# interleaved; reported: per-round times, medians, the median of per-round ratios, and the
# peak RSS of the build (GNU time's maximum resident set size, rustc included).
#
#   bash benches/compile/generated_api.sh            # 5 rounds
#   ROUNDS=9 BASE=b4b30bb bash benches/compile/generated_api.sh
#   BEFORE=<commit> ...   also times attr and floor at <commit> in the same rounds (a layout
#                         change, before and after side by side); TARGET=<dir> builds every
#                         tree in that one target dir (dependencies compiled once)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
BASE=${BASE:-b4b30bb}
work=$(mktemp -d)
PARTS=${PARTS:-full,default,doc}
BEFORE=${BEFORE:-}
trap 'for t in attr floor battr bfloor head base; do git worktree remove --force "$work/$t" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never

strip_companions() { # $1 tree
  ( cd "$1"
    # The model helpers (src/models/) stay: they call no endpoint.
    find src/extras -maxdepth 1 -name '*.rs' ! -name mod.rs -delete
    find src/extras -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
    printf '//! (stripped for the compile benchmark)\n' > src/extras/mod.rs
    grep -rl 'pub use crate::extras::' src/generated | xargs -r sed -i '/pub use crate::extras::/d'
    # The re-export of the artifacts companion's trait, with its doc line and cfg.
    sed -i '/^pub mod reconcile;/d' src/lib.rs
    python3 - <<'PY'
import re
text = open("src/lib.rs").read()
text = re.sub(r'(?m)^///[^\n]*\n#\[cfg\(feature = "artifacts"\)\]\npub use generated::artifacts::ArtifactsExt;\n', '', text)
open("src/lib.rs", "w").write(text)
PY
    rm -f src/reconcile.rs )
}

pairs="attr:floor"
[ -n "$BEFORE" ] && pairs="$pairs battr:bfloor"
for pair in $pairs; do
  a=${pair%:*} f=${pair#*:} rev=HEAD
  [ "$a" = battr ] && rev=$BEFORE
  for tree in "$a" "$f"; do
    git worktree add --detach -q "$work/$tree" "$rev"
    strip_companions "$work/$tree"
  done
  ( cd "$work/$f"
    grep -rl 'devrev_endpoint' src/generated | xargs sed -i '/^\s*#\[devrev_endpoint(/d'
    grep -rl 'Page' src/generated | xargs sed -i 's/, crate::Page)\]/)]/; /^\s*#\[page(items)\]/d' )
done
git worktree add --detach -q "$work/head" HEAD
git worktree add --detach -q "$work/base" "$BASE"

build() { # $1 tree, $2.. cargo args; prints "seconds peak_kib cpu_seconds"
  prep "$@"
  touch "$work/$1/src/lib.rs"
  local start end
  start=$(date +%s.%N)
  # The floor tree warns (unused imports of the attribute); only a failure is shown.
  # CPU time (user + sys, rustc included) as well as wall time: on a shared
  # machine the other builds stretch the wall time more than the CPU time.
  /usr/bin/time -f '%M %U %S' -o "$work/rss" cargo build -q --manifest-path "$work/$1/Cargo.toml" --target-dir "${TARGET:-$work/target-$1}" "${@:2}" \
    2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  end=$(date +%s.%N)
  read -r rss user sys < "$work/rss"
  echo "$(echo "$end - $start" | bc) $rss $(echo "$user + $sys" | bc)"
}
# A target directory shared by trees of two commits (TARGET= with BEFORE=) holds one copy of
# each path crate: cargo names devrev-macros' and devrev-runtime's artifacts by their paths
# relative to the workspace, the same in every tree, and a tree whose sources are older than
# the artifact takes it as fresh, whichever tree it was built from. So before the timed build
# of each commit's attribute tree (its floor tree follows it, with the same sources), an
# untimed build rebuilds both from this tree's sources.
prep() { # $1 tree, $2.. cargo args of the timed build
  [ -n "${TARGET:-}" ] && [ -n "$BEFORE" ] && [[ "$1" == *attr ]] || return 0
  touch "$work/$1/macros/src/lib.rs" "$work/$1/runtime/src/lib.rs"
  cargo build -q --manifest-path "$work/$1/Cargo.toml" --target-dir "$TARGET" "${@:2}" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
}
wall() { echo "${1%% *}"; }
rss() { local r=${1#* }; echo "${r%% *}"; }
cpu() { echo "${1##* }"; }

echo "# generated API compile time: $ROUNDS rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# warming up (dependencies)"
has() { [[ ",$PARTS," == *",$1,"* ]]; }
if has full; then
  build attr -p devrev --lib --features full >/dev/null; build floor -p devrev --lib --features full >/dev/null
  if [ -n "$BEFORE" ]; then build battr -p devrev --lib --features full >/dev/null; build bfloor -p devrev --lib --features full >/dev/null; fi
fi
if has default; then build head -p devrev --lib >/dev/null; build base -p devrev --lib >/dev/null; fi

declare -a full_attr full_floor def_head def_base ratio_full ratio_def b_attr b_floor ratio_b cpu_attr cpu_floor cpu_ratio b_cpu_attr b_cpu_floor b_cpu_ratio
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  if has full; then
    a=$(build attr -p devrev --lib --features full); f=$(build floor -p devrev --lib --features full)
    full_attr+=("$(wall "$a")"); full_floor+=("$(wall "$f")"); cpu_attr+=("$(cpu "$a")"); cpu_floor+=("$(cpu "$f")")
    ratio_full+=("$(echo "scale=3; $(wall "$a") / $(wall "$f")" | bc)")
    cpu_ratio+=("$(echo "scale=3; $(cpu "$a") / $(cpu "$f")" | bc)")
    line="$line full attr $(wall "$a") s, $(cpu "$a") s CPU ($(rss "$a") KiB), floor $(wall "$f") s, $(cpu "$f") s CPU ($(rss "$f") KiB);"
    if [ -n "$BEFORE" ]; then
      a=$(build battr -p devrev --lib --features full); f=$(build bfloor -p devrev --lib --features full)
      b_attr+=("$(wall "$a")"); b_floor+=("$(wall "$f")"); b_cpu_attr+=("$(cpu "$a")"); b_cpu_floor+=("$(cpu "$f")")
      ratio_b+=("$(echo "scale=3; $(wall "$a") / $(wall "$f")" | bc)")
      b_cpu_ratio+=("$(echo "scale=3; $(cpu "$a") / $(cpu "$f")" | bc)")
      line="$line $BEFORE: full attr $(wall "$a") s, $(cpu "$a") s CPU ($(rss "$a") KiB), floor $(wall "$f") s, $(cpu "$f") s CPU ($(rss "$f") KiB);"
    fi
  fi
  if has default; then
    h=$(build head -p devrev --lib); b=$(build base -p devrev --lib)
    def_head+=("$(wall "$h")"); def_base+=("$(wall "$b")")
    ratio_def+=("$(echo "scale=3; $(wall "$h") / $(wall "$b")" | bc)")
    line="$line default HEAD $(wall "$h") s ($(rss "$h") KiB), $BASE $(wall "$b") s;"
  fi
  echo "$line load $(cut -d' ' -f1 /proc/loadavg)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
has full && echo "median --features full: attr $(median "${full_attr[@]}") s, floor $(median "${full_floor[@]}") s, ratio (median of rounds) $(median "${ratio_full[@]}") (target <= 1.15); CPU attr $(median "${cpu_attr[@]}") s, floor $(median "${cpu_floor[@]}") s, ratio $(median "${cpu_ratio[@]}")"
has full && [ -n "$BEFORE" ] && echo "median --features full at $BEFORE: attr $(median "${b_attr[@]}") s, floor $(median "${b_floor[@]}") s, ratio (median of rounds) $(median "${ratio_b[@]}"); CPU attr $(median "${b_cpu_attr[@]}") s, floor $(median "${b_cpu_floor[@]}") s, ratio $(median "${b_cpu_ratio[@]}")"
has default && echo "median default build: HEAD $(median "${def_head[@]}") s, $BASE $(median "${def_base[@]}") s, ratio (median of rounds) $(median "${ratio_def[@]}") (target <= 1.5)"
if has doc; then
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" cargo doc -q --manifest-path "$work/head/Cargo.toml" --target-dir "$work/target-head" -p devrev --no-deps --features full
  echo "cargo doc -p devrev --no-deps --features full: $(echo "$(date +%s.%N) - $start" | bc) s, peak RSS $(cat "$work/rss") KiB"
fi
