#!/usr/bin/env bash
# Install JEPA Explorer from a wheelhouse (made by packaging/wheelhouse.sh) with no network:
#
#   bash install_offline.sh WHEELHOUSE [--prefix DIR] [--python python3.11]
#
# Makes DIR (default ~/jepa-explorer) with a venv, `pip install --no-index --find-links WHEELHOUSE`,
# the bundled models and samples, and a launcher DIR/jepa-explorer (Windows: jepa-explorer.cmd) that
# points the app at them (JEPA_EXPLORER_HOME). Ends with `jepa-explorer doctor`.
# Linux also needs Qt's system libraries for a window (see packaging/README.md, "Troubleshooting").
set -euo pipefail

WHEELHOUSE=${1:?usage: install_offline.sh WHEELHOUSE [--prefix DIR] [--python python3.11]}
shift
PREFIX="$HOME/jepa-explorer" PYTHON=python3.11
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX=$2; shift 2 ;;
    --python) PYTHON=$2; shift 2 ;;
    *) echo "install_offline: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python
WHEELHOUSE=$(cd "$WHEELHOUSE" && pwd)
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)

echo "== venv in $PREFIX/venv ($("$PYTHON" --version 2>&1))"
"$PYTHON" -m venv "$PREFIX/venv"
if [ -x "$PREFIX/venv/bin/python" ]; then BIN="$PREFIX/venv/bin"; else BIN="$PREFIX/venv/Scripts"; fi

echo "== pip install --no-index --find-links $WHEELHOUSE jepa-explorer"
# ignore every configured index, find-links folder and constraint: only the wheelhouse counts
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_CONSTRAINT PIP_REQUIREMENT
if [ -e /dev/null ]; then NULL_CONFIG=/dev/null; else NULL_CONFIG=nul; fi
PIP_CONFIG_FILE=$NULL_CONFIG "$BIN/python" -m pip install -q --no-index --find-links "$WHEELHOUSE" jepa-explorer

echo "== models and samples"
for folder in checkpoints assets; do
  if [ -d "$WHEELHOUSE/data/$folder" ]; then rm -rf "${PREFIX:?}/$folder"; cp -r "$WHEELHOUSE/data/$folder" "$PREFIX/"; fi
done

if [ -x "$PREFIX/venv/bin/python" ]; then
  cat >"$PREFIX/jepa-explorer" <<LAUNCHER
#!/usr/bin/env bash
export JEPA_EXPLORER_HOME="$PREFIX"
exec "$BIN/jepa-explorer" "\$@"
LAUNCHER
  chmod +x "$PREFIX/jepa-explorer"
  LAUNCH="$PREFIX/jepa-explorer"
else
  printf '@echo off\r\nset "JEPA_EXPLORER_HOME=%s"\r\n"%s\\jepa-explorer.exe" %%*\r\n' "$(cygpath -w "$PREFIX")" "$(cygpath -w "$BIN")" \
    >"$PREFIX/jepa-explorer.cmd"
  LAUNCH="$PREFIX/jepa-explorer.cmd"
fi
echo "installed: $LAUNCH ($(du -sh "$PREFIX" | cut -f1))"

echo "== self-check"
# (`$LAUNCH doctor` once the CLI lists doctor; the module form works either way)
JEPA_EXPLORER_HOME="$PREFIX" "$BIN/python" -m jepa_explorer.doctor ${DOCTOR_ARGS:-} || { echo "install_offline: doctor reported a failure (see above)" >&2; exit 1; }
