"""Test helper: read a QR code matrix back into its text, written from ISO/IEC 18004 (not from python-qrcode).

No QR reader (zbar, OpenCV) is installed for the tests, so this one reads what a reader reads from a clean
matrix: the format information (error correction level and mask, BCH-protected, XOR 0x5412), the data
modules in their zigzag order around the function patterns, unmasked, de-interleaved into the data
codewords of each block, then the numeric, alphanumeric and byte segments. It checks nothing of the error
correction codewords (a clean matrix needs none); versions 1 to 6, the sizes a verification URL takes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

Matrix = Sequence[Sequence[bool]]

# Error correction level M: (data codewords per block, blocks) by version (ISO/IEC 18004 Table 9).
_BLOCKS_M = {1: (16, 1), 2: (28, 1), 3: (44, 1), 4: (32, 2), 5: (43, 2), 6: (27, 4)}
_TOTAL_CODEWORDS = {1: 26, 2: 44, 3: 70, 4: 100, 5: 134, 6: 172}
_EC_LEVEL = {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_MASKS: dict[int, Callable[[int, int], bool]] = {
    0: lambda r, c: (r + c) % 2 == 0,
    1: lambda r, c: r % 2 == 0,
    2: lambda r, c: c % 3 == 0,
    3: lambda r, c: (r + c) % 3 == 0,
    4: lambda r, c: (r // 2 + c // 3) % 2 == 0,
    5: lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    6: lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    7: lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
}


def format_info(matrix: Matrix) -> tuple[str, int]:
    """(error correction level, mask pattern) from the format information beside the top-left finder."""
    positions = [(8, c) for c in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(r, 8) for r in range(5, -1, -1)]
    raw = 0
    for r, c in positions:
        raw = (raw << 1) | int(matrix[r][c])
    data = (raw ^ 0x5412) >> 10
    return _EC_LEVEL[data >> 3], data & 0b111


def _is_function(r: int, c: int, n: int, version: int) -> bool:
    if (r <= 8 and c <= 8) or (r <= 8 and c >= n - 8) or (r >= n - 8 and c <= 8):
        return True  # finders, separators, format information, the dark module
    if r == 6 or c == 6:
        return True  # timing patterns
    return version >= 2 and abs(r - (n - 7)) <= 2 and abs(c - (n - 7)) <= 2  # the one alignment pattern (v2-6)


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.bits = "".join(f"{byte:08b}" for byte in data)
        self.pos = 0

    def take(self, count: int) -> int:
        value = int(self.bits[self.pos : self.pos + count] or "0", 2)
        self.pos += count
        return value

    def left(self) -> int:
        return len(self.bits) - self.pos


def read_qr(matrix: Matrix) -> str:
    """The text a reader gets from ``matrix`` (no quiet zone), error correction level M."""
    n = len(matrix)
    version = (n - 17) // 4
    assert n == 17 + 4 * version, f"not a QR code's size: {n}"
    assert version in _BLOCKS_M, f"unsupported version {version}"
    level, mask = format_info(matrix)
    assert level == "M", level
    masked = _MASKS[mask]
    bits: list[int] = []
    col = n - 1
    upward = True
    while col > 0:
        if col == 6:
            col -= 1  # the vertical timing pattern is skipped as a whole column
        rows = range(n - 1, -1, -1) if upward else range(n)
        for r in rows:
            for c in (col, col - 1):
                if not _is_function(r, c, n, version):
                    bits.append(int(matrix[r][c]) ^ int(masked(r, c)))
        upward = not upward
        col -= 2
    total = _TOTAL_CODEWORDS[version]
    codewords = [int("".join(map(str, bits[i * 8 : i * 8 + 8])), 2) for i in range(total)]
    per_block, blocks = _BLOCKS_M[version]
    data = bytes(codewords[i * blocks + b] for b in range(blocks) for i in range(per_block))
    return _segments(_Bits(data))


def _segments(stream: _Bits) -> str:
    out: list[str] = []
    while stream.left() >= 4:
        mode = stream.take(4)
        if mode == 0:
            break
        if mode == 0b0100:  # byte
            out.append(bytes(stream.take(8) for _ in range(stream.take(8))).decode("utf-8"))
        elif mode == 0b0010:  # alphanumeric
            count = stream.take(9)
            chars = []
            for _ in range(count // 2):
                pair = stream.take(11)
                chars += [_ALNUM[pair // 45], _ALNUM[pair % 45]]
            if count % 2:
                chars.append(_ALNUM[stream.take(6)])
            out.append("".join(chars))
        elif mode == 0b0001:  # numeric
            count = stream.take(10)
            digits = []
            for size, width in [(3, 10)] * (count // 3) + ([(count % 3, 3 * (count % 3) + 1)] if count % 3 else []):
                digits.append(f"{stream.take(width):0{size}d}")
            out.append("".join(digits))
        else:
            raise AssertionError(f"unexpected segment mode {mode:04b}")
    return "".join(out)
