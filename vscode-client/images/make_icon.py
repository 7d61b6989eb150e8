"""Draws images/icon.png (128x128 RGBA) with the standard library only: `python3 images/make_icon.py`."""

import struct
import zlib
from pathlib import Path

SIZE = 128
AMBER = (255, 176, 0)
CARD = (255, 255, 255)
INK = (31, 41, 55)
GREY = (156, 163, 175)


def inside_rounded(x: float, y: float, x0: float, y0: float, x1: float, y1: float, r: float) -> bool:
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return x0 <= x <= x1 and y0 <= y <= y1 and (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour(x: float, y: float):
    if not inside_rounded(x, y, 2, 2, 126, 126, 24):
        return None
    if inside_rounded(x, y, 18, 22, 110, 106, 10):
        # a big "T" on the left of the card and three lines of "definition" on the right
        if 28 <= x <= 64 and 34 <= y <= 44 or 41 <= x <= 51 and 34 <= y <= 94:
            return INK
        for top, right in ((40, 100), (62, 96), (84, 86)):
            if 70 <= x <= right and top <= y <= top + 7:
                return GREY
        return CARD
    return AMBER


def pixel(x: int, y: int) -> bytes:
    # 4x4 supersampling for smooth edges
    samples = [colour(x + (i + 0.5) / 4, y + (j + 0.5) / 4) for i in range(4) for j in range(4)]
    hits = [c for c in samples if c is not None]
    if not hits:
        return bytes(4)
    rgb = [round(sum(c[k] for c in hits) / len(hits)) for k in range(3)]
    return bytes(rgb + [round(255 * len(hits) / len(samples))])


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    rows = [b"".join(pixel(x, y) for x in range(SIZE)) for y in range(SIZE)]
    out = Path(__file__).with_name("icon.png")
    out.write_bytes(png(SIZE, SIZE, rows))
    print(f"wrote {out}")
