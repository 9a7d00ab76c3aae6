"""Draws the launcher icon (a patch grid: context patches blue, target blocks orange, one predicted
patch outlined) and writes packaging/icons/jepa-explorer.{png,ico,icns}. Pillow only; run again
after changing the drawing: `python packaging/make_icons.py`."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent / "icons"
SIZE = 1024
GRID = 6
BACKGROUND = (24, 28, 38, 255)
CONTEXT = (66, 135, 245, 255)
TARGET = (245, 150, 50, 255)
EMPTY = (52, 58, 72, 255)
TARGETS = {(1, 3), (1, 4), (2, 3), (2, 4), (4, 1), (4, 2)}
EMPTY_CELLS = {(0, 0), (5, 5), (0, 5)}


def draw(size: int = SIZE) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    margin = size // 16
    d.rounded_rectangle((margin, margin, size - margin, size - margin), radius=size // 6, fill=BACKGROUND)
    inner = size // 6
    cell = (size - 2 * inner) / GRID
    gap = max(2, int(cell * 0.12))
    for row in range(GRID):
        for col in range(GRID):
            colour = TARGET if (row, col) in TARGETS else EMPTY if (row, col) in EMPTY_CELLS else CONTEXT
            x0, y0 = inner + col * cell + gap / 2, inner + row * cell + gap / 2
            d.rounded_rectangle((x0, y0, x0 + cell - gap, y0 + cell - gap), radius=int(cell * 0.18), fill=colour)
    # the predictor's guess for one target patch: a white ring
    x0, y0 = inner + 4 * cell + gap / 2, inner + 1 * cell + gap / 2
    ring = (x0, y0, x0 + cell - gap, y0 + cell - gap)
    d.rounded_rectangle(ring, radius=int(cell * 0.18), outline=(255, 255, 255, 255), width=max(2, size // 64))
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    image = draw()
    image.resize((256, 256), Image.LANCZOS).save(ICONS / "jepa-explorer.png")
    image.save(ICONS / "jepa-explorer.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    image.save(ICONS / "jepa-explorer.icns")
    for path in sorted(ICONS.iterdir()):
        print(f"{path}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
