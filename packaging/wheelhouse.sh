#!/usr/bin/env bash
# Gather every wheel JEPA Explorer needs into one folder, for an offline `pip install`:
#
#   packaging/wheelhouse.sh TARGET_DIR [--platform linux|windows|macos] [--python 3.11]
#
# TARGET_DIR gets: the jepa-explorer wheel, CPU torch, every other dependency as a wheel
# (requirements.txt lists the exact pins), data/checkpoints and data/assets (the bundled models and
# samples) and install_offline.sh. Then on each laptop, with no network:
#   bash TARGET_DIR/install_offline.sh TARGET_DIR
#
# How: `uv pip compile --python-platform` resolves the dependencies *for the target OS* (pip's own
# resolver evaluates markers such as `sys_platform == "win32"` against the machine it runs on, so a
# Linux machine would drop Windows-only dependencies and add Linux-only ones); uv is installed into
# build/tools on first use. Then `pip download --no-deps --only-binary=:all: --platform …` fetches
# exactly those pins.
# CPU torch: Linux uses the local wheel torch-2.13.0+cpu (TORCH_WHEEL, else the one in /opt/wheels),
# because PyPI's Linux torch is the CUDA build (GBs of nvidia-* wheels); with TORCH_INDEX_URL set
# (PyTorch's CPU index) the +cpu wheel is downloaded from there instead. PyPI's Windows and macOS
# torch wheels are CPU builds (macOS: CPU + MPS, arm64, macOS >= 14 for 2.13.0): taken from PyPI.
# Runs pip and uv with `nice -n 19` (NICE to change).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TARGET=${1:?usage: packaging/wheelhouse.sh TARGET_DIR [--platform linux|windows|macos] [--python 3.11]}
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
PYTAG=${PYVER/./}

case "$PLATFORM" in
  linux) UV_PLATFORM=x86_64-manylinux_2_28 PIP_TAGS="manylinux_2_28_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 linux_x86_64" ;;
  windows) UV_PLATFORM=x86_64-pc-windows-msvc PIP_TAGS="win_amd64" ;;
  macos) UV_PLATFORM=aarch64-apple-darwin PIP_TAGS="macosx_14_0_arm64 macosx_11_0_universal2"; export MACOSX_DEPLOYMENT_TARGET=14.0 ;;
  *) echo "wheelhouse: --platform is linux, windows or macos" >&2; exit 2 ;;
esac
PLATFORM_ARGS=()
for tag in $PIP_TAGS; do PLATFORM_ARGS+=(--platform "$tag"); done

UV=${UV:-$(command -v uv || true)}
if [ -z "$UV" ]; then
  UV=$ROOT/build/tools/bin/uv
  if [ ! -x "$UV" ]; then
    echo "== installing uv into build/tools (resolves dependencies for another OS)"
    python3 -m venv "$ROOT/build/tools" && $NICE "$ROOT/build/tools/bin/pip" install -q uv
  fi
fi

mkdir -p "$TARGET"
TARGET=$(cd "$TARGET" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== the jepa-explorer wheel"
rm -f "$TARGET"/jepa_explorer-*.whl
$NICE "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$TARGET" "$ROOT"

echo "== resolving for $PLATFORM ($UV_PLATFORM), Python $PYVER"
"$PY" - "$WORK/requirements.in" <<'PY'
import sys, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
open(sys.argv[1], "w").write("\n".join(d for d in deps if not d.lower().startswith("torch")) + "\n")
PY
UV_ARGS=()
if [ "$PLATFORM" = linux ]; then
  if [ -n "${TORCH_INDEX_URL:-}" ]; then
    UV_ARGS+=(--extra-index-url "$TORCH_INDEX_URL" --index-strategy unsafe-best-match)
  else
    wheel=${TORCH_WHEEL:-$(ls /opt/wheels/torch-"$TORCH_VERSION"+cpu-cp"$PYTAG"-cp"$PYTAG"-*x86_64.whl 2>/dev/null | head -n 1 || true)}
    [ -f "$wheel" ] || { echo "wheelhouse: no local CPU torch wheel; set TORCH_WHEEL=path or TORCH_INDEX_URL (packaging/README.md)" >&2; exit 1; }
    cp -u "$wheel" "$TARGET/"
    UV_ARGS+=(--find-links "$TARGET")
  fi
  echo "torch==$TORCH_VERSION+cpu" >>"$WORK/requirements.in"
else
  echo "torch==$TORCH_VERSION" >>"$WORK/requirements.in"
fi
UV_CACHE_DIR=${UV_CACHE_DIR:-$ROOT/build/uv-cache} $NICE "$UV" pip compile -q --python-version "$PYVER" \
  --python-platform "$UV_PLATFORM" --no-header --no-annotate ${UV_ARGS[@]+"${UV_ARGS[@]}"} "$WORK/requirements.in" -o "$TARGET/requirements.txt"

echo "== downloading $(wc -l <"$TARGET/requirements.txt") pinned wheels"
$NICE "$PY" -m pip download -q --no-deps --only-binary=:all: "${PLATFORM_ARGS[@]}" --python-version "$PYVER" \
  --find-links "$TARGET" ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} -d "$TARGET" -r "$TARGET/requirements.txt"

echo "== data, installer"
rm -rf "$TARGET/data" && mkdir -p "$TARGET/data"
if [ -d "$ROOT/checkpoints" ]; then cp -r "$ROOT/checkpoints" "$TARGET/data/"; else echo "wheelhouse: note: no checkpoints/ to ship yet"; fi
cp -r "$ROOT/assets" "$TARGET/data/"
cp "$ROOT/packaging/install_offline.sh" "$TARGET/"
echo "wheels: $(ls "$TARGET"/*.whl | wc -l), size: $(du -sh "$TARGET" | cut -f1)"
