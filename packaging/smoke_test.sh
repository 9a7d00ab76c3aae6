#!/usr/bin/env bash
# Smoke-test a built bundle: packaging/smoke_test.sh DIST_DIR [--checkpoint PATH] [--image PATH]
#
# Runs the bundled app headless (QT_QPA_PLATFORM=offscreen) from an empty folder, with the repo's
# environment variables cleared and, where the kernel allows it, without any network (unshare -n):
#   --help, `info` (twice: cold, warm), one `predict` to an .npz, `screenshot --out` (twice), `doctor`.
# Fails on the first step that fails. Times each step from process start to exit (for the
# screenshot: to the PNG written), wall and (with GNU time) CPU seconds, and prints a table;
# DIST_DIR/../smoke-timings.txt keeps it.
# The checkpoint: --checkpoint, else the bundle's default (ijepa-tiny), else its first bundle.
# NICE (e.g. "nice -n 19") prefixes every run: the timings then say what a busy machine gives.
set -euo pipefail

DIST=${1:?usage: packaging/smoke_test.sh DIST_DIR [--checkpoint PATH] [--image PATH]}
shift
CHECKPOINT="" IMAGE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --checkpoint|-c) CHECKPOINT=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --image|-i) IMAGE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) echo "smoke: unknown option $1" >&2; exit 2 ;;
  esac
done
DIST=$(cd "$DIST" && pwd)
EXE="$DIST/jepa-explorer"
[ -x "$EXE" ] || EXE="$DIST/jepa-explorer.exe"
[ -x "$EXE" ] || { echo "smoke: FAIL: no jepa-explorer launcher in $DIST" >&2; exit 1; }
CONTENTS="$DIST/_internal"
[ -d "$CONTENTS" ] || CONTENTS="$DIST"

if [ -z "$CHECKPOINT" ]; then
  if [ -f "$CONTENTS/checkpoints/ijepa-tiny/card.json" ]; then
    CHECKPOINT="$CONTENTS/checkpoints/ijepa-tiny"
  else
    first=$(ls -d "$CONTENTS"/checkpoints/*/ 2>/dev/null | head -n 1 || true)
    CHECKPOINT=${first%/}
  fi
fi
[ -n "$CHECKPOINT" ] || { echo "smoke: FAIL: the bundle has no checkpoint; pass --checkpoint FILE" >&2; exit 1; }
if [ -z "$IMAGE" ]; then
  IMAGE=$(ls "$CONTENTS"/assets/samples/*.jpg "$CONTENTS"/assets/samples/*.png 2>/dev/null | head -n 1 || true)
fi
[ -n "$IMAGE" ] || { echo "smoke: FAIL: the bundle has no sample image; pass --image FILE" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"  # nothing from a checkout beside us can be picked up
unset JEPA_EXPLORER_HOME PYTHONPATH PYTHONHOME VIRTUAL_ENV
export QT_QPA_PLATFORM=offscreen HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$HOME"
ISOLATE=()
if command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
  ISOLATE=(unshare -n)  # a new network namespace with nothing in it: proves no step needs the network
  NET="none (unshare -n)"
else
  NET="not isolated (unshare -n unavailable)"
fi
read -r -a NICE_CMD <<<"${NICE:-}"

now() { date +%s.%N; }
CPU_TIME=()  # GNU time: CPU seconds (user + sys) as well, a figure a busy machine distorts less than wall time
if /usr/bin/time -f "%U %S" -o /dev/null true 2>/dev/null; then CPU_TIME=(/usr/bin/time -f "%U %S" -o "$WORK/cpu"); fi
TIMINGS="$WORK/timings"
: >"$TIMINGS"
run_step() {  # run_step LABEL CMD...: run, fail loudly, record seconds
  local label=$1; shift
  local start end
  start=$(now)
  echo "0 0" >"$WORK/cpu"
  if ! ${NICE_CMD[@]+"${NICE_CMD[@]}"} ${ISOLATE[@]+"${ISOLATE[@]}"} ${CPU_TIME[@]+"${CPU_TIME[@]}"} "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"; then
    echo "smoke: FAIL: $label: $*" >&2
    tail -n 30 "$WORK/out.txt" "$WORK/err.txt" >&2
    exit 1
  fi
  end=$(now)
  read -r user sys <"$WORK/cpu"
  awk -v l="$label" -v a="$start" -v b="$end" -v u="$user" -v s="$sys" \
    'BEGIN { printf "%-28s %6.2f s wall  %6.2f s cpu\n", l, b - a, u + s }' | tee -a "$TIMINGS"
}

echo "bundle      $DIST ($(du -sh "$DIST" | cut -f1))"
echo "checkpoint  $CHECKPOINT"
echo "image       $IMAGE"
echo "network     $NET"
echo

run_step "--help" "$EXE" --help
grep -q "predict" "$WORK/out.txt" || { echo "smoke: FAIL: --help lists no predict" >&2; exit 1; }
run_step "info (cold)" "$EXE" info --checkpoint "$CHECKPOINT"
run_step "info (warm)" "$EXE" info --checkpoint "$CHECKPOINT" --json
grep -q '"patch_grid"' "$WORK/out.txt" || { echo "smoke: FAIL: info --json has no patch_grid" >&2; exit 1; }
run_step "predict" "$EXE" predict --checkpoint "$CHECKPOINT" --image "$IMAGE" --mask multiblock:seed=3 --out "$WORK/result.npz"
[ -s "$WORK/result.npz" ] || { echo "smoke: FAIL: predict wrote no result.npz" >&2; exit 1; }
for i in 1 2; do
  rm -f "$WORK/shot.png"
  run_step "screenshot ($i) start->png" "$EXE" screenshot --out "$WORK/shot.png" --checkpoint "$CHECKPOINT" --image "$IMAGE"
  [ "$(head -c 4 "$WORK/shot.png" | od -An -c | tr -d ' ')" = '211PNG' ] || { echo "smoke: FAIL: screenshot is not a PNG" >&2; exit 1; }
done
cp "$WORK/shot.png" "$DIST/../smoke-screenshot.png" 2>/dev/null || true
run_step "doctor" "$EXE" doctor
cat "$WORK/out.txt"
cp "$TIMINGS" "$DIST/../smoke-timings.txt" 2>/dev/null || true
echo
echo "smoke: PASS ($(wc -l <"$TIMINGS") steps)"
