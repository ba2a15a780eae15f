#!/usr/bin/env python3
"""Golden data for tessera's attention, positional encodings and nn layers
(tests/test_attention.cpp, tests/test_positional.cpp, tests/test_nn.cpp).

Needs: PyTorch and numpy. On Debian: `apt-get install -y python3-torch`, then run with
Debian's interpreter:  /usr/bin/python3 tools/reference/make_attention_goldens.py
Written against torch 1.13 (Debian 12); uses only APIs that exist from 1.13 on (so the
SDPA reference is written out as softmax(QK^T/sqrt(d) + mask)V rather than calling
F.scaled_dot_product_attention, which came in 2.0).

Writes tests/golden/attention/goldens.bin (little-endian float32 arrays, back to back) and
tests/golden/attention/goldens.json ({"tensors": {name: {"shape": [...], "offset": k}}}, k
counted in floats). Fixed seed, so the output is deterministic for a given torch build.

Every input and weight is drawn in float32 (so the C++ side sees the same numbers) and the
references are computed in float64 from those values, then rounded to float32 once: the
goldens are the exact answers up to that rounding, not torch's own float32 rounding. The
exception is RoPE, which follows HF transformers' float32 pipeline on purpose (see
ops/positional.hpp): inv_freq, pos*inv_freq, cos and sin in float32, as HF computes them.

Contents (shapes in tessera's layouts):
  mha.*       torch.nn.MultiheadAttention(E=32, 4 heads, batch_first) weights, x [2,7,32],
              outputs: plain, key padding (lengths 7, 4), causal, causal+padding, and cross
              attention against memory [2,5,32] with memory padding (lengths 5, 3)
  gqa.*       q [5,8,16], k/v [12,2,16] (GQA 8 query heads on 2 kv heads, repeat_interleave);
              outputs: plain, causal with query offset 7, key mask + additive mask
  rope.*      x [6,3,16] at positions 5..10 (or far positions), both layouts, partial rotary,
              linear, NTK and llama3 scaling
  sinusoidal  [50, 32] table, positions 0..49
  norm.*      LayerNorm (eps 1e-5) and Llama RMSNorm (eps 1e-6) of x [5,48]
  ffn.*       GELU(erf), GELU(tanh), ReLU FFN with biases and a SwiGLU FFN without, x [5,32]
  enc.*       torch.nn.TransformerEncoderLayer(32, 4, 64, gelu, post-norm) and
              (relu, norm_first) with key padding (lengths 6, 4), x [2,6,32]
  dec.*       torch.nn.TransformerDecoderLayer(32, 4, 64, relu, post-norm), tgt [2,5,32]
              (causal), memory [2,7,32] with memory padding (lengths 7, 5)
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "attention")
SEED = 20240705
torch.manual_seed(SEED)
D = torch.float64

tensors = {}


def put(name, t):
    a = t.detach().to(torch.float32).cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t, np.float32)
    assert name not in tensors, name
    tensors[name] = np.ascontiguousarray(a, dtype=np.float32)


def rand(*shape, scale=1.0):
    """float32 draws held in float64."""
    return (torch.randn(*shape, dtype=torch.float32) * scale).to(D)


def f32_params(module):
    """Round every parameter to float32 and give biases random values (torch inits them to 0)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias"):
                p.copy_(torch.randn_like(p) * 0.1)
            p.copy_(p.to(torch.float32).to(D))


def put_module(prefix, module):
    for name, p in module.named_parameters():
        put(prefix + "." + name, p)


def padding(lengths, n):
    """torch convention: True = padding."""
    return torch.tensor([[j >= L for j in range(n)] for L in lengths])


# ---- torch.nn.MultiheadAttention --------------------------------------------------------
E, H, B, S = 32, 4, 2, 7
mha = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=D)
f32_params(mha)
mha.eval()
put_module("mha", mha)
x = rand(B, S, E)
put("mha.x", x)
pad = padding([7, 4], S)
causal = torch.triu(torch.ones(S, S, dtype=torch.bool), diagonal=1)  # True = masked
put("mha.out_plain", mha(x, x, x, need_weights=False)[0])
put("mha.out_padded", mha(x, x, x, key_padding_mask=pad, need_weights=False)[0])
put("mha.out_causal", mha(x, x, x, attn_mask=causal, need_weights=False)[0])
put("mha.out_causal_padded", mha(x, x, x, key_padding_mask=pad, attn_mask=causal, need_weights=False)[0])
mem = rand(B, 5, E)
put("mha.memory", mem)
put("mha.out_cross", mha(x, mem, mem, key_padding_mask=padding([5, 3], 5), need_weights=False)[0])

# ---- scaled dot-product attention with grouped-query heads ------------------------------
NQ, HQ, NKV, HKV, DH = 5, 8, 12, 2, 16
q, k, v = rand(NQ, HQ, DH), rand(NKV, HKV, DH), rand(NKV, HKV, DH)
put("gqa.q", q)
put("gqa.k", k)
put("gqa.v", v)


def sdpa(q, k, v, mask=None):
    """q [n_q, H, d], k/v [n_kv, Hkv, d] -> [n_q, H, d]; mask [n_q, n_kv] additive."""
    g = q.shape[1] // k.shape[1]
    qh = q.permute(1, 0, 2)
    kh = k.permute(1, 0, 2).repeat_interleave(g, dim=0)
    vh = v.permute(1, 0, 2).repeat_interleave(g, dim=0)
    s = qh @ kh.transpose(1, 2) / math.sqrt(q.shape[2])
    if mask is not None:
        s = s + mask
    return (torch.softmax(s, dim=-1) @ vh).permute(1, 0, 2)


NEG = float("-inf")
put("gqa.out_plain", sdpa(q, k, v))
POS0 = 7
causal_off = torch.tensor([[0.0 if j <= POS0 + i else NEG for j in range(NKV)] for i in range(NQ)], dtype=D)
put("gqa.out_causal_offset", sdpa(q, k, v, causal_off))
key_mask = torch.ones(NKV)
key_mask[3] = 0
key_mask[10] = 0
put("gqa.key_mask", key_mask)
additive = rand(NQ, NKV, scale=0.5)
put("gqa.additive", additive)
km = torch.where(key_mask.bool(), 0.0, NEG).to(D)[None, :]
put("gqa.out_masked", sdpa(q, k, v, additive + km))

# ---- RoPE, HF float32 pipeline ----------------------------------------------------------
RS, RH, RD = 6, 3, 16
xr = torch.randn(RS, RH, RD, dtype=torch.float32)
put("rope.x", xr)
near = torch.arange(5, 5 + RS)
far = torch.tensor([0, 1, 100, 1000, 4095, 12345])
put("rope.far_positions", far.to(torch.float32))


def inv_freq_hf(dim, base):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def inv_freq_llama3(dim, base, factor, low, high, old_len):
    inv = inv_freq_hf(dim, base)
    low_wavelen = old_len / low
    high_wavelen = old_len / high
    wavelen = 2 * math.pi / inv
    inv_l = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old_len / wavelen - low) / (high - low)
    smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, inv_l)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rotate_every_two(x):
    x1, x2 = x[..., ::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def rope(x, positions, inv, interleaved, rot):
    freqs = positions.float()[:, None] * inv[None, :]  # [seq, rot/2], float32
    if interleaved:
        cos = freqs.cos().repeat_interleave(2, dim=-1)[:, None, :]
        sin = freqs.sin().repeat_interleave(2, dim=-1)[:, None, :]
        rotate = rotate_every_two
    else:
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
        rotate = rotate_half
    xr_, xp = x[..., :rot], x[..., rot:]
    return torch.cat((xr_ * cos + rotate(xr_) * sin, xp), dim=-1)


put("rope.half", rope(xr, near, inv_freq_hf(RD, 10000.0), False, RD))
put("rope.interleaved", rope(xr, near, inv_freq_hf(RD, 10000.0), True, RD))
put("rope.half_far", rope(xr, far, inv_freq_hf(RD, 10000.0), False, RD))
put("rope.partial_half", rope(xr, near, inv_freq_hf(8, 10000.0), False, 8))
put("rope.partial_interleaved", rope(xr, near, inv_freq_hf(8, 10000.0), True, 8))
put("rope.linear", rope(xr, far, inv_freq_hf(RD, 10000.0) / 2.0, False, RD))
put("rope.ntk", rope(xr, far, inv_freq_hf(RD, 10000.0 * 4.0 ** (RD / (RD - 2))), False, RD))
put("rope.llama3", rope(xr, far, inv_freq_llama3(RD, 500000.0, 8.0, 1.0, 4.0, 256), False, RD))

# ---- sinusoidal table (the PyTorch tutorial's formula, float64) -------------------------
NP_, DM = 50, 32
pos = torch.arange(NP_, dtype=D)[:, None]
div = torch.exp(torch.arange(0, DM, 2, dtype=D) * (-math.log(10000.0) / DM))
pe = torch.zeros(NP_, DM, dtype=D)
pe[:, 0::2] = torch.sin(pos * div)
pe[:, 1::2] = torch.cos(pos * div)
put("sinusoidal", pe)

# ---- norms ------------------------------------------------------------------------------
xn = (rand(5, 48) * 3 + 1).to(torch.float32).to(D)  # an offset mean, still exact float32 values
put("norm.x", xn)
g, b_ = rand(48), rand(48)
put("norm.gamma", g)
put("norm.beta", b_)
put("norm.layer", F.layer_norm(xn, (48,), g, b_, 1e-5))
put("norm.rms", xn * torch.rsqrt(xn.pow(2).mean(-1, keepdim=True) + 1e-6) * g)

# ---- feed-forward -----------------------------------------------------------------------
xf = rand(5, 32)
put("ffn.x", xf)
w1, b1, w2, b2 = rand(64, 32, scale=0.2), rand(64, scale=0.1), rand(32, 64, scale=0.2), rand(32, scale=0.1)
for n_, t in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
    put("ffn." + n_, t)
put("ffn.gelu", F.linear(F.gelu(F.linear(xf, w1, b1)), w2, b2))
put("ffn.gelu_tanh", F.linear(F.gelu(F.linear(xf, w1, b1), approximate="tanh"), w2, b2))
put("ffn.relu", F.linear(F.relu(F.linear(xf, w1, b1)), w2, b2))
wg, wu, wd = rand(64, 32, scale=0.2), rand(64, 32, scale=0.2), rand(32, 64, scale=0.2)
put("ffn.wg", wg)
put("ffn.wu", wu)
put("ffn.wd", wd)
put("ffn.swiglu", F.linear(F.silu(F.linear(xf, wg)) * F.linear(xf, wu), wd))

# ---- torch.nn.TransformerEncoderLayer ---------------------------------------------------
# Gradients stay enabled and parameters require grad, which keeps torch off its fused
# inference fast path; eval() with dropout 0 makes the layer deterministic.
xe = rand(2, 6, 32)
put("enc.x", xe)
enc_pad = padding([6, 4], 6)
put("enc.key_padding", (~enc_pad).to(torch.float32))
for tag, act, norm_first in (("gelu", "gelu", False), ("relu_prenorm", "relu", True)):
    layer = torch.nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, activation=act, batch_first=True,
                                             norm_first=norm_first, dtype=D)
    f32_params(layer)
    layer.eval()
    put_module("enc." + tag, layer)
    put("enc." + tag + ".out", layer(xe, src_key_padding_mask=enc_pad))

# ---- torch.nn.TransformerDecoderLayer ---------------------------------------------------
tgt, memory = rand(2, 5, 32), rand(2, 7, 32)
put("dec.tgt", tgt)
put("dec.memory", memory)
mem_pad = padding([7, 5], 7)
put("dec.memory_padding", (~mem_pad).to(torch.float32))
dec = torch.nn.TransformerDecoderLayer(32, 4, 64, dropout=0.0, activation="relu", batch_first=True, dtype=D)
f32_params(dec)
dec.eval()
put_module("dec", dec)
tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(5).to(D)
put("dec.out", dec(tgt, memory, tgt_mask=tgt_mask, memory_key_padding_mask=mem_pad))

# ---- write ------------------------------------------------------------------------------
os.makedirs(OUT_DIR, exist_ok=True)
manifest, offset = {}, 0
with open(os.path.join(OUT_DIR, "goldens.bin"), "wb") as f:
    for name, a in tensors.items():
        manifest[name] = {"shape": list(a.shape), "offset": offset}
        f.write(a.astype("<f4").tobytes())
        offset += a.size
with open(os.path.join(OUT_DIR, "goldens.json"), "w") as f:
    json.dump({"generator": "tools/reference/make_attention_goldens.py", "torch": torch.__version__, "seed": SEED,
               "tensors": manifest}, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(tensors)} tensors, {offset * 4} bytes, to {os.path.normpath(OUT_DIR)}")
