#!/usr/bin/env python3
"""An exact fp32/fp64 numpy forward of Gemma 3 from its GGUF (weights dequantized by gguf-py),
written from the architecture description, as a third opinion next to llama.cpp.

llama.cpp approximates on purpose (activations quantized to 8 bits per 32 or 256 values in
its matmuls, K/V stored as f16, GELU from an f16 table), so when tessera and llama.cpp
disagree by a few tenths of a logit this script says which of the two sits on the exact
result. It reads tests/golden/gemma3_logits.json for the prompts (the ids llama.cpp gave)
and prints, per prompt, the top-5 at the last prompt position and the max |Δ| of
llama.cpp's recorded top-5 logits from the exact ones; with --out it also writes the exact
last-position top-20 logits of those ids (tests/golden/gemma3_exact.json) for
tests/test_gemma.cpp.

The network (see include/tessera/models/llama.hpp for the derivation):
  x = E[id]·sqrt(H); per layer: h = rms(x)·w_attn; q,k,v = Wq h, Wk h, Wv h; q,k = rms per
  head · q_norm/k_norm; NEOX RoPE (base 10000 local, 1e6 global); softmax(q k^T / sqrt(256))
  over a causal (local: last 512) window; x += rms(Wo a)·w_post_attn; h = rms(x)·w_ffn;
  x += rms(Wdown (gelu_tanh(Wg h) * Wu h))·w_post_ffw; logits = E rms(x)·w_out.

Run: python3 tools/reference/gemma_numpy_ref.py [--model FILE] [--prompts N] [--out FILE]
(plain python3 with numpy and gguf is enough; ~1 GB of memory for the fp32 embedding.)
"""
import argparse
import json
import os

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def default_model():
    base = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
    return os.path.join(base, "gemma-3-270m", "gemma-3-270m-q4_k_m.gguf")


class Gemma3:
    def __init__(self, path):
        r = GGUFReader(path)
        f = {k: v for k, v in r.fields.items()}
        val = lambda k: f[k].contents()
        self.H = val("gemma3.embedding_length")
        self.L = val("gemma3.block_count")
        self.nh = val("gemma3.attention.head_count")
        self.nkv = val("gemma3.attention.head_count_kv")
        self.hd = val("gemma3.attention.key_length")
        self.eps = val("gemma3.attention.layer_norm_rms_epsilon")
        self.theta = val("gemma3.rope.freq_base")
        self.window = val("gemma3.attention.sliding_window")
        self.w = {}
        for t in r.tensors:
            a = dequantize(t.data, t.tensor_type).astype(np.float32)
            shape = tuple(int(x) for x in reversed(t.shape))  # row-major
            self.w[t.name] = a.reshape(shape)

    def rms(self, x, w):
        x64 = x.astype(np.float64)
        return (x64 / np.sqrt(np.mean(x64 * x64, axis=-1, keepdims=True) + self.eps) * w).astype(np.float32)

    def rope(self, x, pos, theta):  # x [n, heads, hd], NEOX: rotate halves
        half = self.hd // 2
        inv = theta ** (-np.arange(half, dtype=np.float64) * 2.0 / self.hd)
        ang = np.outer(pos, inv)  # [n, half]
        c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        x1, x2 = x[..., :half].astype(np.float64), x[..., half:].astype(np.float64)
        return np.concatenate([x1 * c - x2 * s, x2 * c + x1 * s], axis=-1).astype(np.float32)

    def forward(self, ids):
        n, H, hd, nh, nkv = len(ids), self.H, self.hd, self.nh, self.nkv
        x = self.w["token_embd.weight"][ids].astype(np.float32) * np.float32(np.sqrt(np.float32(H)))
        pos = np.arange(n)
        for l in range(self.L):
            b = f"blk.{l}."
            local = l % 6 < 5
            h = self.rms(x, self.w[b + "attn_norm.weight"])
            q = (h @ self.w[b + "attn_q.weight"].T).reshape(n, nh, hd)
            k = (h @ self.w[b + "attn_k.weight"].T).reshape(n, nkv, hd)
            v = (h @ self.w[b + "attn_v.weight"].T).reshape(n, nkv, hd)
            q = self.rms(q, self.w[b + "attn_q_norm.weight"])
            k = self.rms(k, self.w[b + "attn_k_norm.weight"])
            theta = 10000.0 if local else self.theta
            q, k = self.rope(q, pos, theta), self.rope(k, pos, theta)
            att = np.zeros((n, nh, hd), dtype=np.float64)
            mask = pos[None, :] <= pos[:, None]
            if local:
                mask &= (pos[:, None] - pos[None, :]) < self.window
            for hh in range(nh):
                g = hh // (nh // nkv)
                s = (q[:, hh, :].astype(np.float64) @ k[:, g, :].T.astype(np.float64)) / np.sqrt(256.0)
                s = np.where(mask, s, -np.inf)
                s = np.exp(s - s.max(axis=1, keepdims=True))
                s /= s.sum(axis=1, keepdims=True)
                att[:, hh, :] = s @ v[:, g, :].astype(np.float64)
            o = att.reshape(n, nh * hd).astype(np.float32) @ self.w[b + "attn_output.weight"].T
            x = x + self.rms(o, self.w[b + "post_attention_norm.weight"])
            h = self.rms(x, self.w[b + "ffn_norm.weight"])
            gt = h @ self.w[b + "ffn_gate.weight"].T
            up = h @ self.w[b + "ffn_up.weight"].T
            g64 = gt.astype(np.float64)
            gelu = 0.5 * g64 * (1 + np.tanh(np.sqrt(2 / np.pi) * (g64 + 0.044715 * g64 ** 3)))
            d = (gelu * up).astype(np.float32) @ self.w[b + "ffn_down.weight"].T
            x = x + self.rms(d, self.w[b + "post_ffw_norm.weight"])
        xn = self.rms(x[-1:], self.w["output_norm.weight"])
        return (xn @ self.w["token_embd.weight"].T)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model())
    ap.add_argument("--goldens", default=os.path.join(ROOT, "tests", "golden", "gemma3_logits.json"))
    ap.add_argument("--prompts", type=int, default=100)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    m = Gemma3(args.model)
    g = json.load(open(args.goldens, encoding="utf-8"))
    out = []
    for p in g["prompts"][: args.prompts]:
        z = m.forward(np.array(p["prompt_ids"]))
        top = np.argsort(-z)[:5]
        d = max(abs(z[i] - lg) for i, lg in p["top"])
        print(f"[{p['lang']}] n={len(p['prompt_ids'])} exact top5 {[(int(i), round(float(z[i]), 3)) for i in top]}"
              f" llama.cpp top1 {p['top'][0][0]} max|d(llama.cpp)|={d:.4f}", flush=True)
        out.append({"lang": p["lang"], "n_prompt_ids": len(p["prompt_ids"]),
                    "top": [[int(i), round(float(z[i]), 5)] for i in np.argsort(-z)[:20]]})
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            head = json.dumps({"model": os.path.basename(args.model),
                               "reference": "tools/reference/gemma_numpy_ref.py: fp32 numpy forward, weights "
                                            "dequantized by gguf-py, fp64 norms/softmax/RoPE",
                               "positions": "last prompt position of each gemma3_logits.json prompt",
                               "top_k": 20})[:-1]
            f.write(head + ', "prompts": [\n')
            f.write(",\n".join(json.dumps(o, separators=(",", ":")) for o in out))
            f.write("\n]}\n")


if __name__ == "__main__":
    main()
