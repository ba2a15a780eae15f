#!/usr/bin/env python3
"""Checks that every tensor of the real model files decodes in tessera exactly as in the
reference readers: gguf-py's numpy dequantization for GGUF, safetensors' numpy loader for
safetensors.

    python3 tools/reference/check_dequant.py build/bin/tessera [FILE_OR_DIR ...]

Without files it checks the two acceptance models under $TESSERA_MODELS (default
~/.cache/tessera/models): SmolLM2-135M-Instruct Q4_1 GGUF and all-MiniLM-L6-v2 safetensors.

For each file it runs `tessera inspect FILE --dump TMP` (every tensor decoded to f32, see
tools/tessera/inspect_data.hpp), loads the same tensors with the reference, and reports per
dtype the largest absolute difference. Pass criteria (issue 3): F32/F16/BF16 and integer
tensors bitwise identical after conversion to f32; quantized types within 1e-6 absolute.
Exit status 0 when every file passes. Needs: numpy, gguf, safetensors (pip).
"""
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np

TOLERANCE = 1e-6
EXACT_DTYPES = {"F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL"}


def load_dump(directory):
    """Yields (name, dtype, shape, values) from a tessera --dump directory."""
    with open(os.path.join(directory, "index.tsv"), encoding="utf-8") as f:
        for line in f:
            index, name, dtype, shape = line.rstrip("\n").split("\t")
            dims = tuple(int(d) for d in shape.split(",")) if shape else ()
            values = np.fromfile(os.path.join(directory, index + ".f32"), dtype="<f4").reshape(dims)
            yield name, dtype, values


def reference_gguf(path):
    import gguf
    from gguf.quants import dequantize

    reader = gguf.GGUFReader(path)
    out = {}
    for t in reader.tensors:
        values = dequantize(t.data, t.tensor_type)
        shape = tuple(int(d) for d in reversed(t.shape.tolist()))  # ne reversed = row-major
        out[t.name] = np.asarray(values, dtype=np.float32).reshape(shape)
    return out


def reference_safetensors(path):
    from safetensors import safe_open

    files = [path]
    if os.path.isdir(path):
        files = [os.path.join(path, f) for f in sorted(os.listdir(path)) if f.endswith(".safetensors")]
    out = {}
    for file in files:
        with safe_open(file, framework="np") as f:
            for name in f.keys():
                out[name] = f.get_tensor(name).astype(np.float32)
    return out


def compare(path, tessera):
    is_gguf = open(path, "rb").read(4) == b"GGUF" if os.path.isfile(path) else False
    reference = reference_gguf(path) if is_gguf else reference_safetensors(path)
    worst = defaultdict(float)
    counts = defaultdict(int)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tessera, "inspect", path, "--dump", tmp], check=True, stdout=subprocess.DEVNULL)
        seen = set()
        for name, dtype, got in load_dump(tmp):
            seen.add(name)
            want = reference.get(name)
            if want is None:
                failures.append(f"{name}: not in the reference reader's output")
                continue
            if got.shape != want.shape:
                failures.append(f"{name}: shape {got.shape}, reference {want.shape}")
                continue
            counts[dtype] += 1
            if dtype in EXACT_DTYPES:
                same = np.array_equal(got.view(np.uint32), want.view(np.uint32)) or np.array_equal(
                    got, want, equal_nan=True)
                if not same:
                    failures.append(f"{name} ({dtype}): not bitwise identical")
            diff = float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) if got.size else 0.0
            worst[dtype] = max(worst[dtype], diff)
            if diff > TOLERANCE:
                failures.append(f"{name} ({dtype}): max abs diff {diff:.3g} > {TOLERANCE}")
        for name in reference.keys() - seen:
            failures.append(f"{name}: missing from tessera's dump")
    overall = max(worst.values()) if worst else 0.0
    print(f"{path}: {sum(counts.values())} tensors, max abs diff {overall:.3g}")
    for dtype in sorted(counts):
        rule = "bitwise" if dtype in EXACT_DTYPES else f"<= {TOLERANCE}"
        print(f"  {dtype:6s} {counts[dtype]:4d} tensors  max abs diff {worst[dtype]:.3g}  ({rule})")
    for f in failures[:20]:
        print("  FAIL", f)
    return not failures


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 1
    tessera = sys.argv[1]
    paths = sys.argv[2:]
    if not paths:
        models = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
        paths = [os.path.join(models, "SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct.Q4_1.gguf"),
                 os.path.join(models, "all-MiniLM-L6-v2", "model.safetensors")]
    ok = all([compare(p, tessera) for p in paths])
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
