#!/usr/bin/env bash
# Set up (if needed) and open JEPA Explorer on the bundled default checkpoint and a bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jepa-explorer "$@"
