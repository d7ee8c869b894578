#!/usr/bin/env python3
"""Writes core-rs/src/vexp_table.rs, the 2^(k/128) table of core-rs/src/vexp.rs.

    python3 core-rs/tools/gen_vexp_table.py   (needs mpmath)

Entry 2k holds the bits of T_k = 2^(k/128) / H_k - 1 (rounded to a double), entry 2k + 1
those of H_k (the double nearest 2^(k/128)) minus k << 45.
"""
import pathlib
import struct

import mpmath

mpmath.mp.prec = 300
N = 128


def bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


rows = []
for k in range(N):
    v = mpmath.power(2, mpmath.mpf(k) / N)
    h = float(v)  # nearest double
    t = float(v / mpmath.mpf(h) - 1)
    rows.append((bits(t), (bits(h) - (k << 45)) % 2**64))

out = [
    "//! The table of `exp`: `2^(k/128) = H_k · (1 + T_k)` for k in 0..128, H_k the double",
    "//! nearest to `2^(k/128)`; entry `2k` holds the bits of `T_k`, entry `2k + 1` those of",
    "//! `H_k` minus `k << 45` (so that adding `k << 45` for any integer `k` gives",
    "//! `H_(k mod 128) · 2^⌊k/128⌋`). Generated with mpmath at 300 bits (the layout of",
    "//! ARM optimized-routines' `__exp_data.tab`) by core-rs/tools/gen_vexp_table.py.",
    "",
    "#[rustfmt::skip]",
    "pub(crate) static TAB: [u64; 256] = [",
]
for i in range(0, N, 2):
    a, b = rows[i], rows[i + 1]
    out.append(f"    0x{a[0]:016x}, 0x{a[1]:016x}, 0x{b[0]:016x}, 0x{b[1]:016x},")
out.append("];")
dest = pathlib.Path(__file__).resolve().parent.parent / "src" / "vexp_table.rs"
dest.write_text("\n".join(out) + "\n")
print(f"wrote {dest}")
