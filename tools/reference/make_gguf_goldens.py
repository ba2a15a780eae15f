#!/usr/bin/env python3
"""Golden data for tessera's GGUF reader and block dequantization (tests/test_gguf.cpp).

Needs: Python 3.9+, numpy, and gguf-py (`pip install gguf numpy`; written against gguf 0.19).
Run from anywhere:  python3 tools/reference/make_gguf_goldens.py
Writes tests/golden/gguf/blocks.gguf (about 40 KB), deterministic for a given gguf-py/numpy.

The file is written by gguf-py's own GGUFWriter (so it also cross-checks tessera's reader
against a third-party writer) and holds:
  * metadata "golden.*": one key of every GGUF value type, arrays of several element
    types, and a UTF-8 string; the C++ test checks the values listed in METADATA below;
  * "deq.<type>": random raw blocks (fixed seed) of every type tessera decodes (F32, F16,
    BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K, Q8_K), numpy shape (2, n), i.e. GGUF
    ne = [n, 2]. Scales are finite and include edge values (0, negative, f16 subnormal,
    +-65504); codes include all-zero and all-one bytes. F32/F16/BF16 include +-0, +-Inf, NaN
    and subnormals;
  * "deq.<type>.expected": F32, gguf-py's `gguf.quants.dequantize` of those bytes. gguf-py
    has no Q8_K decoder, so its expected values are computed here as d * q (Q8_K is
    ggml's activation format: f32 d, 256 int8 codes, 16 int16 bsums that play no part);
  * "quant.input": F32 values, "quant.q8_0"/"quant.q4_0"/"quant.q4_1": gguf-py's
    `gguf.quants.quantize` of them (gguf-py states its Q8_0 is bit-exact with ggml's
    reference; Q4_0/Q4_1 follow quantize_row_q4_0_ref / _q4_1_ref).
"""
import os
import sys

import numpy as np

try:
    import gguf
    from gguf import GGMLQuantizationType as T
    from gguf import GGUFValueType as V
except ImportError:  # pragma: no cover
    sys.exit("make_gguf_goldens.py needs gguf-py: pip install gguf numpy")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "gguf", "blocks.gguf")
SEED = 20240611
rng = np.random.default_rng(SEED)

QK_K = 256
# (type, blocks): enough blocks for edge cases plus random ones; always an even count (2 rows).
QUANT_TYPES = [
    (T.Q4_0, 8), (T.Q4_1, 8), (T.Q5_0, 8), (T.Q5_1, 8), (T.Q8_0, 8),
    (T.Q2_K, 4), (T.Q3_K, 4), (T.Q4_K, 4), (T.Q5_K, 4), (T.Q6_K, 4), (T.Q8_K, 4),
]
# Byte offsets of the f16 scale fields inside each block (see ops/quant_blocks.hpp).
F16_FIELDS = {
    T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2], T.Q8_0: [0],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
}
EDGE_F16 = [0.0, -0.0, 1.0, -0.5, 65504.0, -65504.0, 2.0 ** -24, 6.1e-5]

METADATA = [
    ("golden.u8", 200, V.UINT8), ("golden.i8", -100, V.INT8), ("golden.u16", 60000, V.UINT16),
    ("golden.i16", -30000, V.INT16), ("golden.u32", 4000000000, V.UINT32), ("golden.i32", -2000000000, V.INT32),
    ("golden.f32", 0.15625, V.FLOAT32), ("golden.bool", True, V.BOOL), ("golden.string", "héllo wörld ✓ 你好", V.STRING),
    ("golden.u64", 18000000000000000000, V.UINT64), ("golden.i64", -9000000000000000000, V.INT64),
    ("golden.f64", -2.5e-300, V.FLOAT64),
]
ARRAYS = [
    ("golden.array.i32", [1, -2, 3, -2147483648], V.INT32),
    ("golden.array.f32", [0.5, -1.25, 3e38], V.FLOAT32),
    ("golden.array.string", ["a", "", "ünïcödé", "<0x0A>"], V.STRING),
    ("golden.array.bool", [True, False, True], V.BOOL),
    ("golden.array.u64", [0, 1, 18446744073709551615], V.UINT64),
]


def random_f16_scale(n):
    """Finite f16 scales of varied magnitude and sign."""
    mag = rng.uniform(-12, 2, size=n)  # 2^-12 .. 2^2
    return (np.sign(rng.uniform(-1, 1, size=n)) * np.exp2(mag)).astype(np.float16)


def make_blocks(qtype, n_blocks):
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    raw[0, :] = 0x00  # all codes zero (and, for Q3_K, every high bit clear)
    raw[1, :] = 0xFF  # all codes and scale bits one
    if qtype == T.Q8_K:
        d = np.array([0.0, -1.5, 1e-30, 3.0e-3][:n_blocks], dtype=np.float32)
        if n_blocks > 4:
            d = np.concatenate([d, rng.uniform(-0.01, 0.01, n_blocks - 4).astype(np.float32)])
        raw[:, 0:4] = d.reshape(n_blocks, 1).view(np.uint8)
    else:
        for k, off in enumerate(F16_FIELDS[qtype]):
            s = random_f16_scale(n_blocks)
            # Rotate the edge values through the blocks so each field meets several of them.
            for b in range(n_blocks):
                if (b + k) % 2 == 0:
                    s[b] = EDGE_F16[(b + 3 * k) % len(EDGE_F16)]
            raw[:, off:off + 2] = s.reshape(n_blocks, 1).view(np.uint8)
    raw = raw.reshape(2, -1)
    if qtype == T.Q8_K:
        blocks = raw.reshape(n_blocks, type_size)
        d = blocks[:, 0:4].copy().view(np.float32)
        q = blocks[:, 4:4 + QK_K].view(np.int8).astype(np.float32)
        expected = (d * q).reshape(2, -1)
    else:
        expected = gguf.quants.dequantize(raw, qtype)
    assert expected.shape == (2, n_blocks * block_size // 2), (qtype, expected.shape)
    return raw, expected.astype(np.float32)


def float_tensors():
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -2.0, 1e-45, -3e38, 65504.0, 6e-8, 0.1],
                        dtype=np.float32)
    f32 = np.concatenate([specials, rng.standard_normal(52).astype(np.float32)]).reshape(2, 32)
    f16_bits = rng.integers(0, 1 << 16, size=64, dtype=np.uint16)
    f16_bits[:8] = [0x0000, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0x0001, 0x03FF, 0x7BFF]
    f16 = f16_bits.view(np.float16).reshape(2, 32)
    bf16_bits = rng.integers(0, 1 << 16, size=64, dtype=np.uint16)
    bf16_bits[:8] = [0x0000, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0x0001, 0x3F80, 0xC2F7]
    bf16_raw = bf16_bits.view(np.uint8).reshape(2, 64)
    bf16_expected = gguf.quants.dequantize(bf16_raw, T.BF16)
    return [
        ("deq.F32", f32, None, f32),
        ("deq.F16", f16, None, f16.astype(np.float32)),
        ("deq.BF16", bf16_raw, T.BF16, bf16_expected.astype(np.float32)),
    ]


def quantizer_input():
    """8 blocks of 32: random, zeros, one spike, constant, negative extreme, ties, tiny, wide."""
    x = rng.standard_normal((8, 32)).astype(np.float32)
    x[1] = 0.0
    x[2] = 0.0
    x[2, 7] = -3.0
    x[3] = 0.75
    x[4] = rng.uniform(-1, 0.2, 32)
    x[4, 20] = -7.0
    x[5] = np.arange(32, dtype=np.float32) - 16.0  # exact multiples of the step
    x[6] *= 1e-6
    x[7] *= 1e4
    return x.reshape(2, 128)


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    w = gguf.GGUFWriter(OUT, arch="golden")
    for key, val, vt in METADATA:
        w.add_key_value(key, val, vt)
    for key, val, st in ARRAYS:
        w.add_key_value(key, val, V.ARRAY, sub_type=st)

    for name, data, raw_dtype, expected in float_tensors():
        w.add_tensor(name, data, raw_dtype=raw_dtype)
        w.add_tensor(name + ".expected", expected)
    for qtype, n_blocks in QUANT_TYPES:
        raw, expected = make_blocks(qtype, n_blocks)
        name = "deq." + qtype.name
        w.add_tensor(name, raw, raw_dtype=qtype)
        w.add_tensor(name + ".expected", expected)

    x = quantizer_input()
    w.add_tensor("quant.input", x)
    for qtype in (T.Q8_0, T.Q4_0, T.Q4_1):
        w.add_tensor("quant." + qtype.name.lower(), gguf.quants.quantize(x, qtype), raw_dtype=qtype)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    print(f"wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
