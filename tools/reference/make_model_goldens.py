#!/usr/bin/env python3
"""Golden data for tessera's models (tests/test_models.cpp): small random-weight models
built with fixed seeds, their weights as safetensors and their outputs as goldens.

Needs PyTorch (Debian's python3-torch 1.13), transformers <= 4.47, numpy < 2, safetensors:
    apt-get install -y python3-torch
    /usr/bin/python3 -m venv --system-site-packages /opt/tessera-ref
    /opt/tessera-ref/bin/pip install "transformers<=4.47" "numpy<2" safetensors
    /opt/tessera-ref/bin/python tools/reference/make_model_goldens.py

Writes, under tests/golden/models/:
  gpt2/            config.json + model.safetensors (transformers' GPT2LMHeadModel: 2 layers,
                   n_embd 48, 4 heads of 12, n_inner 192, vocab 300, n_positions 64, tied head)
  llama_linear/    LlamaForCausalLM: hidden 64, 4 heads / 2 kv heads of 16, intermediate 72,
                   2 layers, vocab 200, rope_theta 10000, rope_scaling linear x2, tied head
  llama3/          the same shapes, rope_theta 500000, rope_scaling llama3 (factor 8, low 1,
                   high 4, original 64 positions) and a separate lm_head
  transformer/     model.safetensors only: torch.nn.Transformer(d_model 32, 4 heads, 2+2
                   layers, ffn 64, relu, post-norm, batch_first) wrapped with source and target
                   token embeddings (scaled by sqrt(d_model)), sinusoidal positions and a
                   generator Linear(32, vocab 24); hyper-parameters in the __metadata__
  <model>/goldens.safetensors  inputs and outputs (below)

Decoders (gpt2, llama_*): ids [3, 16] int32 right-padded (lengths 16, 11, 6) with mask
[3, 16] int32 (1 = token); outputs of that padded batch, float32 [3, 16, *]:
  emb        token (+ learned position) embeddings
  layer.N    output of block N
  hidden     after the final norm (last_hidden_state)
  logits     lm_head
Only positions with mask 1 are meaningful (padded rows are whatever HF computes).

Transformer: src [3, 9] int32 (lengths 9, 7, 4) with src_mask, tgt [3, 7] int32 (teacher
forcing: bos + tokens; lengths 7, 5, 3) with tgt_mask; outputs enc.emb, enc.layer.N, memory
(after the encoder's final LayerNorm), dec.emb, dec.layer.N, dec.out (after the decoder's
final LayerNorm), logits [3, 7, 24]. Decoding of each source sequence alone:
  greedy.K              [n] int32: generated tokens (bos excluded, eos included if reached),
                        max 12 new tokens
  beam.K.wW.aA          [n] int32: best hypothesis of beam_search(width W, length penalty A)
  beam.K.wW.aA.score    [1] float32: its length-normalised score
The beam search both sides implement (written out in beam_search() below):
  live beams start as [bos] with score 0. Each step, every live beam's next-token
  log-softmax is added to its score; all (score, beam, token) candidates are ordered by
  score descending, then beam index, then token id. Walking that order, an eos candidate
  becomes a finished hypothesis with normalised score = score / (generated length)^alpha
  (generated length counts the eos, not the bos); any other candidate becomes a live beam,
  until `width` live beams are chosen. The search stops once `width` hypotheses have
  finished or `max_new` tokens were generated (then the live beams finish as they are).
  The answer is the finished hypothesis with the highest normalised score (first added
  wins a tie).
The script checks that no decision of the greedy or beam searches is closer than 1e-4 in
score, so float32 inference reproduces them (the smallest margin is printed).

Weights are drawn in float32 with scales that keep activations O(1) (HF's init of std 0.02
would make attention nearly uniform and test little), biases and norm weights random too.
References run in float64 from those float32 weights and are rounded once, except where
HF itself works in float32 (RoPE's cos/sin, which tessera follows on purpose). Llama's
RMSNorm is evaluated in float64 (HF casts to float32 inside; the golden is the exact value).
"""
import json
import math
import os
import shutil

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

import transformers
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM
from transformers.models.llama import modeling_llama

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "golden", "models")
D = torch.float64


def randomize(model, matrix_scale=1.0):
    """float32 draws: matrices randn/sqrt(fan_in) (embeddings randn*0.5), norm weights
    1 + 0.1 randn, biases 0.1 randn."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                is_norm = any(k in name for k in ("ln_", "norm", "layernorm"))
                if name.endswith("weight") and is_norm:
                    p.copy_(1.0 + 0.1 * torch.randn_like(p))
                else:
                    p.copy_(0.1 * torch.randn_like(p))
            elif "embed" in name or name.endswith("wte.weight") or name.endswith("wpe.weight"):
                p.copy_(0.5 * torch.randn_like(p))
            else:
                # HF Conv1D is [in, out]; nn.Linear is [out, in]; both have fan_in >= 32 here.
                fan_in = p.shape[0] if "c_" in name else p.shape[1]
                p.copy_(matrix_scale * torch.randn_like(p) / math.sqrt(fan_in))


def f32(t):
    return t.detach().to(torch.float32).contiguous()


def save_goldens(path, tensors, metadata=None):
    save_file({k: v.contiguous() for k, v in tensors.items()}, path, metadata=metadata)
    os.chmod(path, 0o644)


def padded_ids(vocab, lengths, n, pad, gen):
    ids = torch.full((len(lengths), n), pad, dtype=torch.int64)
    mask = torch.zeros((len(lengths), n), dtype=torch.int64)
    for b, L in enumerate(lengths):
        ids[b, :L] = torch.randint(0, vocab, (L,), generator=gen)
        mask[b, :L] = 1
    return ids, mask


def capture_blocks(blocks):
    """Forward hooks that record every block's output hidden states."""
    outs = {}
    handles = []
    for i, blk in enumerate(blocks):
        def hook(_m, _inp, out, i=i):
            outs[i] = (out[0] if isinstance(out, tuple) else out).detach()
        handles.append(blk.register_forward_hook(hook))
    return outs, handles


def rmsnorm_f64(self, hidden_states):
    variance = hidden_states.pow(2).mean(-1, keepdim=True)
    return self.weight * (hidden_states * torch.rsqrt(variance + self.variance_epsilon))


def fresh_dir(name):
    d = os.path.join(ROOT, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    return d


def save_hf(model, d):
    model.save_pretrained(d, safe_serialization=True)
    os.chmod(os.path.join(d, "model.safetensors"), 0o644)
    gc = os.path.join(d, "generation_config.json")
    if os.path.exists(gc):
        os.remove(gc)


def decoder_goldens(name, model, blocks, embed_fn, final_norm, vocab, seed):
    d = fresh_dir(name)
    save_hf(model, d)
    model = model.to(D).eval()
    gen = torch.Generator().manual_seed(seed)
    ids, mask = padded_ids(vocab, [16, 11, 6], 16, 0, gen)
    outs, handles = capture_blocks(blocks)
    emb = {}
    h_emb = embed_fn(model).register_forward_hook(lambda _m, _i, o: emb.setdefault("x", o.detach()))
    fin = {}
    h_fin = final_norm(model).register_forward_hook(lambda _m, _i, o: fin.setdefault("x", o.detach()))
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask).logits
    for h in handles + [h_emb, h_fin]:
        h.remove()
    g = {"ids": ids.to(torch.int32), "mask": mask.to(torch.int32), "emb": f32(emb["x"]),
         "hidden": f32(fin["x"]), "logits": f32(logits)}
    for i in sorted(outs):
        g["layer.%d" % i] = f32(outs[i])
    save_goldens(os.path.join(d, "goldens.safetensors"), g)
    print("%-13s logits scale %.3g, weights %d bytes" % (name, logits.abs().max().item(),
                                                        os.path.getsize(os.path.join(d, "model.safetensors"))))


# ---- GPT-2 --------------------------------------------------------------------------------

def make_gpt2():
    torch.manual_seed(20240801)
    cfg = GPT2Config(vocab_size=300, n_positions=64, n_embd=48, n_layer=2, n_head=4, n_inner=None,
                     activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                     layer_norm_epsilon=1e-5, bos_token_id=299, eos_token_id=299, attn_implementation="eager")
    model = GPT2LMHeadModel(cfg)
    randomize(model)
    model.tie_weights()
    # GPT-2 adds wte and wpe inline; the sum is the output of the (inactive) dropout after it.
    decoder_goldens("gpt2", model, model.transformer.h, lambda m: m.transformer.drop,
                    lambda m: m.transformer.ln_f, 300, 1)


# ---- Llama --------------------------------------------------------------------------------

def make_llama(name, seed, rope_theta, rope_scaling, tie):
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=200, hidden_size=64, intermediate_size=72, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      rms_norm_eps=1e-6, rope_theta=rope_theta, rope_scaling=rope_scaling,
                      tie_word_embeddings=tie, attention_bias=False, bos_token_id=1, eos_token_id=2,
                      pad_token_id=0, attn_implementation="eager")
    model = LlamaForCausalLM(cfg)
    randomize(model)
    if tie:
        model.tie_weights()
    decoder_goldens(name, model, model.model.layers, lambda m: m.model.embed_tokens, lambda m: m.model.norm,
                    200, seed)


# ---- torch.nn.Transformer -----------------------------------------------------------------

def sinusoidal(n, d):
    pe = torch.zeros(n, d, dtype=D)
    pos = torch.arange(n, dtype=D)[:, None]
    i = torch.arange(0, d, 2, dtype=D)
    div = torch.pow(torch.tensor(10000.0, dtype=D), -i / d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class Seq2Seq(nn.Module):
    """Token embeddings x sqrt(d_model) + sinusoidal positions -> nn.Transformer -> generator."""

    def __init__(self, vocab, d_model, nhead, layers, ffn):
        super().__init__()
        self.d_model = d_model
        self.src_embedding = nn.Embedding(vocab, d_model)
        self.tgt_embedding = nn.Embedding(vocab, d_model)
        self.transformer = nn.Transformer(d_model, nhead, layers, layers, ffn, dropout=0.0, batch_first=True)
        self.generator = nn.Linear(d_model, vocab)

    def embed(self, table, ids):
        return table(ids) * math.sqrt(self.d_model) + sinusoidal(ids.shape[1], self.d_model).to(table.weight.dtype)

    def encode(self, src, src_pad=None):
        return self.transformer.encoder(self.embed(self.src_embedding, src), src_key_padding_mask=src_pad)

    def decode(self, tgt, memory, tgt_pad=None, mem_pad=None):
        T = tgt.shape[1]
        causal = torch.triu(torch.full((T, T), float("-inf"), dtype=memory.dtype), diagonal=1)
        y = self.transformer.decoder(self.embed(self.tgt_embedding, tgt), memory, tgt_mask=causal,
                                     tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=mem_pad)
        return self.generator(y)


MARGINS = []


def next_logp(model, memory, toks):
    tgt = torch.tensor([toks])
    return torch.log_softmax(model.decode(tgt, memory)[0, -1], -1).detach()


def greedy(model, src, bos, eos, max_new):
    memory = model.encode(torch.tensor([src]))
    toks = [bos]
    for _ in range(max_new):
        lp = next_logp(model, memory, toks)
        top = torch.topk(lp, 2).values
        MARGINS.append((top[0] - top[1]).item())
        t = int(torch.argmax(lp))
        toks.append(t)
        if t == eos:
            break
    return toks[1:]


def beam_search(model, src, bos, eos, width, alpha, max_new):
    memory = model.encode(torch.tensor([src]))
    beams = [([bos], 0.0)]
    finished = []  # (normalised score, tokens)
    for _ in range(max_new):
        cands = []
        for bi, (toks, s) in enumerate(beams):
            lp = next_logp(model, memory, toks)
            for t in range(lp.shape[0]):
                cands.append((s + lp[t].item(), bi, t))
        cands.sort(key=lambda c: (-c[0], c[1], c[2]))
        new = []
        used = 0
        for sc, bi, t in cands:
            used += 1
            toks = beams[bi][0] + [t]
            if t == eos:
                finished.append((sc / (len(toks) - 1) ** alpha, toks))
            else:
                new.append((toks, sc))
                if len(new) == width:
                    break
        # Decisions: the order of the candidates taken, and the cut after them.
        scores = [c[0] for c in cands[:used + 1]]
        MARGINS.append(min(abs(a - b) for a, b in zip(scores, scores[1:])))
        beams = new
        if len(finished) >= width:
            break
    else:
        for toks, s in beams:
            finished.append((s / (len(toks) - 1) ** alpha, toks))
    order = sorted(range(len(finished)), key=lambda i: (-finished[i][0], i))
    if len(order) > 1:
        MARGINS.append(finished[order[0]][0] - finished[order[1]][0])
    best = finished[order[0]]
    return best[1][1:], best[0]


def make_transformer():
    torch.manual_seed(20240803)
    V, dm, nh, L, ffn = 24, 32, 4, 2, 64
    model = Seq2Seq(V, dm, nh, L, ffn)
    randomize(model)
    # Target embeddings 10x smaller, so the positions rather than the previous token dominate
    # the decoder input: otherwise a random model repeats one token and decoding tests little.
    with torch.no_grad():
        model.tgt_embedding.weight.mul_(0.1)
    d = fresh_dir("transformer")
    pad, bos = 0, 1
    model = model.to(D).train(False)  # grad stays enabled: torch's fast path is off, the plain path runs

    gen = torch.Generator().manual_seed(3)
    src, src_mask = padded_ids(V - 2, [9, 7, 4], 9, pad, gen)
    src = torch.where(src_mask.bool(), src + 2, src)  # real tokens avoid pad and bos
    # eos: a token greedy decoding of source 0 produces at a later step, so decoding stops early.
    plain = greedy(model, src[0, :9].tolist(), bos, -1, 12)
    eos = next((t for t in plain[3:] if t not in plain[:3]), plain[-1])
    MARGINS.clear()

    tgt, tgt_mask = padded_ids(V - 2, [7, 5, 3], 7, pad, gen)
    tgt = torch.where(tgt_mask.bool(), tgt + 2, tgt)
    tgt[:, 0] = bos
    src_pad, tgt_pad = src_mask == 0, tgt_mask == 0

    enc_outs, h1 = capture_blocks(model.transformer.encoder.layers)
    dec_outs, h2 = capture_blocks(model.transformer.decoder.layers)
    memory = model.encode(src, src_pad)
    logits = model.decode(tgt, memory, tgt_pad, src_pad)
    dec_out = {}
    h3 = model.transformer.decoder.norm.register_forward_hook(lambda _m, _i, o: dec_out.setdefault("x", o.detach()))
    model.decode(tgt, memory, tgt_pad, src_pad)
    for h in h1 + h2 + [h3]:
        h.remove()
    g = {"src": src.to(torch.int32), "src_mask": src_mask.to(torch.int32), "tgt": tgt.to(torch.int32),
         "tgt_mask": tgt_mask.to(torch.int32),
         "enc.emb": f32(model.embed(model.src_embedding, src)), "memory": f32(memory),
         "dec.emb": f32(model.embed(model.tgt_embedding, tgt)), "dec.out": f32(dec_out["x"]), "logits": f32(logits)}
    for i in range(L):
        g["enc.layer.%d" % i] = f32(enc_outs[i])
        g["dec.layer.%d" % i] = f32(dec_outs[i])
    for k in range(3):
        s = src[k, :int(src_mask[k].sum())].tolist()
        g["greedy.%d" % k] = torch.tensor(greedy(model, s, bos, eos, 12), dtype=torch.int32)
        for w, a in ((3, 0.7), (2, 0.0), (4, 1.0)):
            toks, score = beam_search(model, s, bos, eos, w, a, 12)
            key = "beam.%d.w%d.a%g" % (k, w, a)
            g[key] = torch.tensor(toks, dtype=torch.int32)
            g[key + ".score"] = torch.tensor([score], dtype=torch.float32)
    save_goldens(os.path.join(d, "goldens.safetensors"), g)

    meta = {"d_model": str(dm), "nhead": str(nh), "num_encoder_layers": str(L), "num_decoder_layers": str(L),
            "dim_feedforward": str(ffn), "vocab_size": str(V), "activation": "relu", "norm_first": "false",
            "layer_norm_eps": "1e-05", "pad_token_id": str(pad), "bos_token_id": str(bos), "eos_token_id": str(eos)}
    weights = {k: f32(v) for k, v in model.state_dict().items()}
    save_goldens(os.path.join(d, "model.safetensors"), weights, meta)
    m = min(MARGINS)
    print("transformer   logits scale %.3g, weights %d bytes, eos %d, smallest decision margin %.3g" %
          (logits.abs().max().item(), os.path.getsize(os.path.join(d, "model.safetensors")), eos, m))
    for k in range(3):
        print("  greedy.%d" % k, g["greedy.%d" % k].tolist())
        for w, a in ((3, 0.7), (2, 0.0), (4, 1.0)):
            key = "beam.%d.w%d.a%g" % (k, w, a)
            print("    %s %s score %.4f" % (key, g[key].tolist(), g[key + ".score"].item()))
    assert m > 1e-4, "a decoding decision is too close for float32: change the seed"


def main():
    print("torch", torch.__version__, "transformers", transformers.__version__)
    modeling_llama.LlamaRMSNorm.forward = rmsnorm_f64
    make_gpt2()
    make_llama("llama_linear", 20240802, 10000.0, {"rope_type": "linear", "factor": 2.0}, True)
    make_llama("llama3", 20240804, 500000.0,
               {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64}, False)
    make_transformer()


if __name__ == "__main__":
    main()
