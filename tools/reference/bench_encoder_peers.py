#!/usr/bin/env python3
"""Sentence-encoder throughput: tessera beside ONNX Runtime (fp32), run alternately.

For every case (batch 1 / 32, seq 128 / the sample-data mix, threads 1 / 2) it runs
tessera's `encode/tessera/...` benchmark (bench/bench_encoder.cpp), then ONNX Runtime on
the same texts, `--rounds` times alternately, and prints the median sentences/s of each and
their ratio. Both are end to end: tokenize (tessera's WordPiece / HF tokenizers), encoder,
mean pooling, normalise. ONNX Runtime gets what sentence-transformers does: texts sorted
by length, batches padded to their longest member.

The ONNX model is exported once from transformers' BertModel with torch.onnx.export into
<model dir>/onnx/model.onnx (the model cache, not the repository), and reused after.

    /opt/tessera-ref/bin/pip install onnxruntime onnx        # plus the goldens' venv
    cmake --build build --target tessera_bench
    /opt/tessera-ref/bin/python tools/reference/bench_encoder_peers.py [--rounds 3] [--quick]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

# tessera_bench links OpenBLAS (the GEMM benchmarks' peer); its server thread otherwise
# spins in sched_yield beside tessera's two threads on a 2-core machine (2 % of a core in a
# perf profile of the encoder benchmark). Neither ONNX Runtime nor tessera uses OpenBLAS here.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def model_dir():
    base = os.environ.get("TESSERA_MODELS") or os.path.expanduser("~/.cache/tessera/models")
    return os.path.join(base, "all-MiniLM-L6-v2")


def export_onnx(mdir):
    path = os.path.join(mdir, "onnx", "model.onnx")
    if os.path.exists(path):
        return path
    import torch
    from transformers import AutoModel

    os.makedirs(os.path.dirname(path), exist_ok=True)
    model = AutoModel.from_pretrained(mdir).eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    dyn = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), path,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": dyn, "attention_mask": dyn, "token_type_ids": dyn,
                                        "last_hidden_state": dyn},
                          opset_version=14, do_constant_folding=True)
    print(f"exported {path}", file=sys.stderr)
    return path


# The same texts as bench/bench_encoder.cpp.
def seq128_texts():
    words = ["waterproof", "hiking", "boots", "with", "a", "breathable", "membrane", "and", "rubber", "outsole",
             "for", "wet", "trails", "light", "snow", "day", "hikes", "stainless", "steel", "bottle", "keeps",
             "drinks", "cold", "hours"]
    return ["".join(words[(w * 7 + t * 3 + w // 5) % 24] + " " for w in range(200)) for t in range(64)]


def mix_texts():
    data = os.path.join(ROOT, "data")

    def rows(name):
        with open(os.path.join(data, name), encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    out = []
    for p in rows("catalog.jsonl"):
        out += [p["title_en"] + ". " + p["description_en"], p["title_zh"] + "。" + p["description_zh"]]
    out += [q["query"] for q in rows("queries.jsonl")]
    out += [k["title"] + " " + k["text"] for k in rows("shop_knowledge.jsonl")]
    out += [q["question"] for q in rows("reply_questions.jsonl")]
    return out


class OrtEncoder:
    def __init__(self, onnx_path, mdir, threads):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.sess = ort.InferenceSession(onnx_path, so, providers=["CPUExecutionProvider"])
        self.tok = Tokenizer.from_file(os.path.join(mdir, "tokenizer.json"))
        self.tok.no_padding()

    def encode(self, texts, max_length, batch_size=32):
        self.tok.enable_truncation(max_length)
        enc = self.tok.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(enc[i].ids))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for b0 in range(0, len(texts), batch_size):
            idx = order[b0:b0 + batch_size]
            n = max(len(enc[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(enc[i].ids)] = enc[i].ids
                mask[r, :len(enc[i].ids)] = 1
            h = self.sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (h * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[idx] = pooled
        return out


def ort_rate(encoder, texts, batch, max_length, seconds):
    n, done, nxt = len(texts), 0, 0
    encoder.encode(texts[:batch], max_length)  # warm-up
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        chunk = [texts[(nxt + i) % n] for i in range(batch)]
        nxt = (nxt + batch) % n
        encoder.encode(chunk, max_length)
        done += batch
    return done / (time.perf_counter() - t0)


def tessera_rate(bench, name, seconds):
    out = subprocess.run([bench, f"--benchmark_filter=^{name}(/real_time)?$", f"--benchmark_min_time={seconds}",
                          "--benchmark_format=json"], capture_output=True, text=True, check=True).stdout
    doc = json.loads(out[out.index("{"):])
    b = doc["benchmarks"][0]
    if b.get("error_occurred"):
        raise SystemExit(f"{name}: {b.get('error_message')}")
    return b["sentences/s"], b["GFLOP/s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "bin", "tessera_bench"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--quick", action="store_true", help="only batch 1 and 32 at seq 128, 2 threads")
    args = ap.parse_args()
    mdir = model_dir()
    onnx_path = export_onnx(mdir)
    texts = {"128": seq128_texts(), "mix": mix_texts()}
    cases = [(b, s, t) for b in (1, 32) for s in ("128", "mix") for t in (1, 2)]
    if args.quick:
        cases = [(b, "128", 2) for b in (1, 32)]
    encoders = {}
    print(f"{'case':44s} {'tessera sent/s':>15s} {'GFLOP/s':>8s} {'ORT sent/s':>11s} {'ratio':>6s}")
    for batch, seq, threads in cases:
        name = f"encode/tessera/batch:{batch}/seq:{seq}/threads:{threads}"
        if threads not in encoders:
            encoders[threads] = OrtEncoder(onnx_path, mdir, threads)
        tes, ort_, gfl = [], [], []
        for _ in range(args.rounds):  # alternate, so drifts in machine load hit both
            r, g = tessera_rate(args.bench, name, args.seconds)
            tes.append(r)
            gfl.append(g)
            ort_.append(ort_rate(encoders[threads], texts[seq], batch, 128 if seq == "128" else 256, args.seconds))
        t, o = statistics.median(tes), statistics.median(ort_)
        print(f"{name:44s} {t:15.1f} {statistics.median(gfl):8.1f} {o:11.1f} {t / o:6.2f}", flush=True)


if __name__ == "__main__":
    main()
