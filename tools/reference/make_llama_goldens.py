#!/usr/bin/env python3
"""Golden greedy continuations and top logits for the Llama decoder (tests/test_llama.cpp).

Reference: HF transformers loading the GGUF file itself (it dequantizes every tensor to
fp32 and undoes llama.cpp's Q/K row permutation) and running LlamaForCausalLM in fp32.

For each prompt (customer questions in Chinese and English, as raw text and through the
model's ChatML template) it records:
  prompt_ids      the ids the reference tokenizer gives (tessera's tokenizer is checked
                  against them in the test, then the test feeds these ids). NOTE: the
                  tokenizer transformers builds from a GGUF sets add_bos_token, so raw
                  prompts start with id 1 (<|im_start|>, the file's BOS id) although
                  SmolLM2's own tokenizer adds nothing; the test strips it when comparing
                  tokenizers (the model is run on exactly these ids either way).
  greedy_ids      up to 64 greedily chosen tokens, stopping after an EOS id
  top             at the first N_TOP generated positions (teacher-forced along greedy_ids):
                  the 5 largest logits as [id, logit] pairs

Writes tests/golden/llama/smollm2_greedy.jsonl (one JSON object per prompt) and a small
header object in tests/golden/llama/meta.json.

Needs torch (Debian's python3-torch) + transformers<=4.47 + gguf + numpy<2 in one
interpreter, e.g. /opt/tessera-ref/bin/python (see tools/reference/README or the issue).
CI never runs this: the goldens are committed.
"""
import argparse
import json
import os
import sys
import time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

QUESTIONS = [
    ("zh", "买的鞋子不合适，可以退吗？"),
    ("zh", "我的订单什么时候发货？"),
    ("zh", "口红拆封了还能退吗"),
    ("zh", "快递显示已签收，但是我没有收到包裹，怎么办？"),
    ("zh", "可以用信用卡分期付款吗？"),
    ("zh", "耳机坏了，保修期是多久？"),
    ("zh", "下单后还能修改收货地址吗？"),
    ("zh", "这件衣服有大码吗？"),
    ("en", "How long do I have to return an item?"),
    ("en", "My package arrived damaged. What should I do?"),
    ("en", "Do you ship to Canada, and how much does it cost?"),
    ("en", "Can I change the size of my order after I placed it?"),
    ("en", "What payment methods do you accept?"),
    ("en", "Is there a warranty on the wireless headphones?"),
    ("en", "I was charged twice for the same order. Can you help?"),
    ("en", "Which size should I pick if I usually wear a medium?"),
]
N_NEW = 64
N_TOP = 8
TOP_K = 5


def default_model():
    base = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
    return os.path.join(base, "SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model())
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "llama"))
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1 is fastest on a busy 2-core machine: OpenMP barriers spin)")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    d, f = os.path.split(os.path.abspath(args.model))
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, torch_dtype=torch.float32)
    model.eval()
    eos = {int(model.config.eos_token_id)} if model.config.eos_token_id is not None else set()
    eos.add(int(tok.eos_token_id))

    prompts = []
    for lang, q in QUESTIONS:
        prompts.append({"lang": lang, "chat": False, "text": q})
        prompts.append({"lang": lang, "chat": True, "text": q})

    os.makedirs(args.out, exist_ok=True)
    out_path = os.path.join(args.out, "smollm2_greedy.jsonl")
    t0 = time.time()
    with open(out_path, "w", encoding="utf-8") as out, torch.no_grad():
        for i, p in enumerate(prompts):
            if p["chat"]:
                ids = tok.apply_chat_template([{"role": "user", "content": p["text"]}], add_generation_prompt=True,
                                              tokenize=True)
            else:
                ids = tok(p["text"], add_special_tokens=True)["input_ids"]
            ids = [int(x) for x in ids]
            # Greedy with the KV cache; logits kept in fp32.
            past = None
            inp = torch.tensor([ids])
            greedy, top = [], []
            for step in range(N_NEW):
                o = model(input_ids=inp, past_key_values=past, use_cache=True)
                past = o.past_key_values
                logits = o.logits[0, -1].float()
                nxt = int(torch.argmax(logits))
                if step < N_TOP:
                    v, ix = torch.topk(logits, TOP_K)
                    top.append([[int(a), float(b)] for a, b in zip(ix.tolist(), v.tolist())])
                greedy.append(nxt)
                if nxt in eos:
                    break
                inp = torch.tensor([[nxt]])
            rec = dict(p)
            rec.update({"prompt_ids": ids, "greedy_ids": greedy, "top": top,
                        "greedy_text": tok.decode(greedy, skip_special_tokens=False)})
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(f"[{i + 1}/{len(prompts)}] {p['lang']} chat={p['chat']}: {len(greedy)} tokens "
                  f"({time.time() - t0:.0f}s)", file=sys.stderr)
    meta = {"model": os.path.basename(args.model), "reference": "transformers GGUF -> fp32 LlamaForCausalLM",
            "transformers": __import__("transformers").__version__, "torch": torch.__version__,
            "n_new": N_NEW, "n_top_positions": N_TOP, "top_k": TOP_K, "eos_ids": sorted(eos),
            "prompts": len(prompts)}
    with open(os.path.join(args.out, "meta.json"), "w") as f_meta:
        json.dump(meta, f_meta, indent=1)
        f_meta.write("\n")
    print("wrote", out_path, file=sys.stderr)


if __name__ == "__main__":
    main()
