#!/usr/bin/env bash
# Gather every wheel JEPA Explorer needs into one folder, for an offline `pip install`:
#
#   packaging/wheelhouse.sh TARGET_DIR [--platform linux|windows|macos|TAG...] [--python 3.11]
#
# TARGET_DIR gets: the jepa-explorer wheel, CPU torch, all other dependencies as wheels,
# data/checkpoints and data/assets (the bundled models and samples), install_offline.sh and
# requirements.txt. Then on each laptop, with no network: `bash TARGET_DIR/install_offline.sh TARGET_DIR`.
#
# CPU torch: on Linux x86_64 the local wheel torch-2.13.0+cpu (TORCH_WHEEL, else found in the pip
# find-links folder /opt/wheels) is copied in: PyPI's Linux torch is the CUDA build (GBs). With
# TORCH_INDEX_URL set (e.g. PyTorch's CPU wheel index) it is downloaded from there instead. PyPI's
# Windows and macOS torch wheels are already CPU builds (macOS: CPU + MPS), so those come from PyPI.
# Runs pip with `nice -n 19` (NICE to change).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TARGET=${1:?usage: packaging/wheelhouse.sh TARGET_DIR [--platform linux|windows|macos|TAG...] [--python 3.11]}
shift
PLATFORM=linux PYVER=3.11
while [ $# -gt 0 ]; do
  case "$1" in
    --platform) PLATFORM=$2; shift 2 ;;
    --python) PYVER=$2; shift 2 ;;
    *) echo "wheelhouse: unknown option $1" >&2; exit 2 ;;
  esac
done
PY=${PY:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
NICE=${NICE:-nice -n 19}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}

case "$PLATFORM" in
  linux) TAGS="manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 linux_x86_64" ;;
  windows) TAGS="win_amd64" ;;
  macos) TAGS="macosx_14_0_arm64 macosx_13_0_arm64 macosx_12_0_arm64 macosx_11_0_arm64 macosx_10_9_universal2 macosx_11_0_universal2" ;;
  *) TAGS=$PLATFORM ;;
esac
PLATFORM_ARGS=()
for tag in $TAGS; do PLATFORM_ARGS+=(--platform "$tag"); done
PYTAG=${PYVER/./}

mkdir -p "$TARGET"
TARGET=$(cd "$TARGET" && pwd)
echo "== the jepa-explorer wheel"
rm -f "$TARGET"/jepa_explorer-*.whl
$NICE "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$TARGET" "$ROOT"

echo "== CPU torch $TORCH_VERSION for $PLATFORM / Python $PYVER"
TORCH_REQ="torch==$TORCH_VERSION"
if [ "$PLATFORM" = linux ] && [ -z "${TORCH_INDEX_URL:-}" ]; then
  wheel=${TORCH_WHEEL:-$(ls /opt/wheels/torch-"$TORCH_VERSION"+cpu-cp"$PYTAG"-cp"$PYTAG"-*x86_64.whl 2>/dev/null | head -n 1 || true)}
  [ -f "$wheel" ] || { echo "wheelhouse: no local CPU torch wheel; set TORCH_WHEEL=path or TORCH_INDEX_URL (see packaging/README.md)" >&2; exit 1; }
  cp -u "$wheel" "$TARGET/"
  TORCH_REQ="torch==$TORCH_VERSION+cpu"
elif [ -n "${TORCH_INDEX_URL:-}" ]; then
  $NICE "$PY" -m pip download -q --no-deps --only-binary=:all: "${PLATFORM_ARGS[@]}" --python-version "$PYVER" \
    --index-url "$TORCH_INDEX_URL" -d "$TARGET" "$TORCH_REQ"
fi

echo "== every other dependency (wheels only)"
# --find-links TARGET: the torch (and app) wheels just placed there satisfy those requirements
$NICE "$PY" -m pip download -q --only-binary=:all: "${PLATFORM_ARGS[@]}" --python-version "$PYVER" \
  --find-links "$TARGET" -d "$TARGET" jepa-explorer "$TORCH_REQ"

echo "== data, installer"
mkdir -p "$TARGET/data"
[ -d "$ROOT/checkpoints" ] && cp -r "$ROOT/checkpoints" "$TARGET/data/" || echo "wheelhouse: note: no checkpoints/ to ship"
cp -r "$ROOT/assets" "$TARGET/data/"
cp "$ROOT/packaging/install_offline.sh" "$TARGET/"
(cd "$TARGET" && ls *.whl | sed 's/-[0-9].*//' | sort -u >requirements.txt)
ls "$TARGET"/*.whl | sed 's|.*/||'
echo "wheels: $(ls "$TARGET"/*.whl | wc -l), size: $(du -sh "$TARGET" | cut -f1)"
