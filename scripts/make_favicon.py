"""Write the portal's favicon.ico (32×32, the "CJ" mark of static/images/favicon.svg) with the
standard library only: a PNG image inside an ICO container. Run by scripts/build-assets.sh.

Usage: python3 scripts/make_favicon.py static/build/favicon.ico
"""

from __future__ import annotations

import struct
import sys
import zlib

SIZE = 32
BACKGROUND = (0x0B, 0x0C, 0x0C, 0xFF)
FOREGROUND = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)
# 5×7 glyphs, drawn at twice the size: "C" and "J".
GLYPHS = {
    "C": ["01111", "10000", "10000", "10000", "10000", "10000", "01111"],
    "J": ["00111", "00010", "00010", "00010", "00010", "10010", "01100"],
}
RADIUS = 4


def pixels() -> list[list[tuple[int, int, int, int]]]:
    image = [[BACKGROUND for _ in range(SIZE)] for _ in range(SIZE)]
    # rounded corners, as the SVG's rx="4"
    for y in range(SIZE):
        for x in range(SIZE):
            cx = RADIUS if x < RADIUS else (SIZE - 1 - RADIUS if x > SIZE - 1 - RADIUS else x)
            cy = RADIUS if y < RADIUS else (SIZE - 1 - RADIUS if y > SIZE - 1 - RADIUS else y)
            if (x - cx) ** 2 + (y - cy) ** 2 > RADIUS**2:
                image[y][x] = CLEAR
    scale, top, left = 2, 9, 4
    for n, letter in enumerate("CJ"):
        for gy, row in enumerate(GLYPHS[letter]):
            for gx, bit in enumerate(row):
                if bit == "1":
                    for dy in range(scale):
                        for dx in range(scale):
                            image[top + gy * scale + dy][left + n * 12 + gx * scale + dx] = FOREGROUND
    return image


def png(image) -> bytes:
    raw = b"".join(b"\x00" + b"".join(bytes(p) for p in row) for row in image)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ico(image_png: bytes) -> bytes:
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image_png), 6 + 16)
    return directory + entry + image_png


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as out:
        out.write(ico(png(pixels())))
