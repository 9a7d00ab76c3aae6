#!/usr/bin/env bash
# Add JEPA Explorer to this user's application menu (Linux desktops following freedesktop.org),
# pointing at the unpacked one-folder app this script sits in. Run again after moving the folder.
set -euo pipefail
APP_DIR=$(cd "$(dirname "$0")" && pwd)
ICON="$APP_DIR/_internal/icons/jepa-explorer.png"
DEST="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
mkdir -p "$DEST"
cat >"$DEST/jepa-explorer.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=JEPA Explorer
Comment=See what a Joint-Embedding Predictive Architecture predicts
Exec="$APP_DIR/jepa-explorer"
Icon=$ICON
Terminal=false
Categories=Education;Science;
DESKTOP
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$DEST" >/dev/null 2>&1 || true
echo "added $DEST/jepa-explorer.desktop"
