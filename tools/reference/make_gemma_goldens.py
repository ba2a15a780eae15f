#!/usr/bin/env python3
"""Golden token ids, logits and greedy continuations for Gemma 3 270M (tests/test_gemma.cpp).

Reference: llama.cpp through llama-cpp-python (built from its sdist), running the same GGUF
file tessera runs (gemma-3-270m-q4_k_m.gguf, the BASE model: no chat template, so every
prompt is completion-style text). llama.cpp is the reference because it defines the GGUF
conventions tessera follows (SentencePiece tokenization of tokenizer.ggml.model = "llama",
norm weights stored as 1 + w, NEOX RoPE, sliding-window layers).

Writes two files under tests/golden/:
  gemma3_tokenizer.json  {"cases": [{"hex": bytes of the text, "text": the text when it is
                         valid UTF-8, "ids": tokenize(add_bos=False, special=False),
                         "ids_bos": tokenize(add_bos=True, special=False) only where it is not
                         [BOS] + ids, "ids_special": tokenize(add_bos=False, special=True) only
                         where it differs from ids}, ...]} (one case per line)
                         Texts: every question of data/reply_questions.jsonl, every passage
                         of data/shop_knowledge.jsonl (title + "\\n" + text), and hand-written
                         edge cases (English, emoji, invalid UTF-8, runs of spaces, newlines,
                         tabs, HTML tags, special-token text, leading/trailing spaces, ...).
  gemma3_logits.json     {"prompts": [{"lang", "text", "prompt_ids", "top": [[id, logit] x 5]
                         at the last prompt position, "greedy_ids": 32 argmax tokens (EOS
                         does not stop them), "greedy_top": top-5 at each greedy step}, ...]}
                         The last prompt is longer than the 512-token sliding window (the
                         knowledge passages concatenated), so the local layers' window is
                         exercised; it records 8 greedy tokens.

Greedy = argmax of llama.cpp's logits (temperature 0), one token evaluated at a time after
the prompt. Settings: Llama(model_path, logits_all=False, n_ctx=1024, n_threads=2, seed=0);
llama.cpp's defaults otherwise (f16 KV cache; activations quantized to Q8_0 / Q8_K in its
matmuls; GELU from an f16 table) — the test's tolerances account for those.

Run:  /opt/tessera-ref/bin/python tools/reference/make_gemma_goldens.py [--model FILE]
CI never runs this; the goldens are committed.
"""
import argparse
import json
import os
import sys

import numpy as np
import llama_cpp

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

EDGE_CASES = [
    "Hello world",
    " Hello world",
    "Hello  world",          # two spaces: a user-defined token
    "Hello   world   ",
    "   leading and trailing   ",
    "",
    " ",
    "a",
    "line one\nline two\n\n\nline five",
    "\ttab\t\tindent",
    "<b>bold</b> and <table><tr><td>cell</td></tr></table>",
    "<start_of_turn>user\nhi<end_of_turn>",   # control tokens: literal unless special
    "<bos><eos><pad><unk><mask>",
    "<s> and </s>",
    "emoji: 😀👍🏽 🇨🇳 ❤️",
    "买的鞋子不合适，可以退吗？😀",
    "混合 mixed 文本 text 123 4567.89",
    "ＡＢＣ　全角空格",
    "naïve café résumé",
    "Ünïcödé ñ ß ø å",
    "日本語のテキスト、한국어 텍스트",
    "Здравствуйте, мир",
    "مرحبا بالعالم",
    "x" * 40,
    "哈" * 30,
    "2024-01-01 12:00:00 ¥99.00 $5 €3",
    "https://example.com/path?q=1&r=2",
    "问：买的鞋子不合适，可以退货吗？\n答：",
]
# Invalid UTF-8 (bytes, not text): llama.cpp keeps the bytes and emits byte tokens.
INVALID = [
    b"\xff",
    b"abc\xffdef",
    b"\xe4\xb8",            # a truncated character at the end
    b"\xe4\xb8abc",         # truncated in the middle
    b"\x80\x80 lone continuation",
    b"\xc0\xaf overlong",
    b"\xed\xa0\x80 surrogate",
    b"\xf4\x90\x80\x80 above U+10FFFF",
    b"ok \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98",
]

PROMPTS = [
    ("zh", "问：买的鞋子不合适，可以退货吗？\n答："),
    ("zh", "顾客：我的订单什么时候发货？\n客服："),
    ("zh", "中国的首都是"),
    ("en", "Question: How long do I have to return an item?\nAnswer:"),
    ("en", "The capital of France is"),
    ("en", "Customer: My package arrived damaged. What should I do?\nAgent:"),
]
N_NEW = 32
N_NEW_LONG = 8
TOP_K = 5


def default_model():
    base = os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models"))
    return os.path.join(base, "gemma-3-270m", "gemma-3-270m-q4_k_m.gguf")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def last_logits(llm):
    return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).copy()


def top(logits, k=TOP_K):
    idx = np.argsort(-logits, kind="stable")[:k]
    return [[int(i), float(logits[i])] for i in idx]


def run_prompt(llm, ids, n_new):
    llm.reset()
    llm.eval(ids)
    logits = last_logits(llm)
    rec = {"prompt_ids": ids, "top": top(logits), "greedy_ids": [], "greedy_top": []}
    for _ in range(n_new):
        nxt = int(np.argmax(logits))
        rec["greedy_ids"].append(nxt)
        llm.eval([nxt])
        logits = last_logits(llm)
        rec["greedy_top"].append(top(logits))
    return rec


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=default_model())
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "golden"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    llm = llama_cpp.Llama(model_path=args.model, logits_all=False, n_ctx=1024, n_threads=args.threads, seed=0,
                          verbose=False)

    questions = [q["question"] for q in read_jsonl(os.path.join(ROOT, "data", "reply_questions.jsonl"))]
    passages = [p["title"] + "\n" + p["text"] for p in read_jsonl(os.path.join(ROOT, "data", "shop_knowledge.jsonl"))]
    texts = [t.encode("utf-8") for t in questions + passages + EDGE_CASES] + INVALID
    cases = []
    for b in texts:
        c = {"hex": b.hex()}
        try:
            c["text"] = b.decode("utf-8")
        except UnicodeDecodeError:
            pass
        c["ids"] = llm.tokenize(b, add_bos=False, special=False)
        with_bos = llm.tokenize(b, add_bos=True, special=False)
        if with_bos != [llm.token_bos()] + c["ids"]:
            c["ids_bos"] = with_bos
        special = llm.tokenize(b, add_bos=False, special=True)
        if special != c["ids"]:
            c["ids_special"] = special
        cases.append(c)
    meta = {
        "model": os.path.basename(args.model),
        "reference": "llama.cpp via llama-cpp-python " + llama_cpp.__version__,
    }
    meta["bos"] = llm.token_bos()
    with open(os.path.join(args.out, "gemma3_tokenizer.json"), "w", encoding="utf-8") as f:
        head = json.dumps(meta, ensure_ascii=False)[:-1]
        f.write(head + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")

    prompts = []
    for lang, text in PROMPTS:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=True, special=False)
        rec = {"lang": lang, "text": text, **run_prompt(llm, ids, N_NEW)}
        prompts.append(rec)
        print(f"{lang} {len(ids)} prompt ids -> {llm.detokenize(rec['greedy_ids']).decode('utf-8', 'replace')!r}",
              file=sys.stderr)
    # Longer than the sliding window: the passages joined until the prompt passes 600 tokens.
    long_text = ""
    for p in passages:
        long_text += p + "\n\n"
        if len(llm.tokenize(long_text.encode("utf-8"), add_bos=True)) > 600:
            break
    long_text += "问：买的鞋子不合适，可以退货吗？\n答："
    ids = llm.tokenize(long_text.encode("utf-8"), add_bos=True, special=False)
    assert 512 < len(ids) < 1024 - N_NEW_LONG, len(ids)
    rec = {"lang": "long", "text": long_text, **run_prompt(llm, ids, N_NEW_LONG)}
    prompts.append(rec)
    print(f"long {len(ids)} prompt ids -> {llm.detokenize(rec['greedy_ids']).decode('utf-8', 'replace')!r}",
          file=sys.stderr)
    with open(os.path.join(args.out, "gemma3_logits.json"), "w", encoding="utf-8") as f:
        head = json.dumps({**meta, "n_new": N_NEW, "n_new_long": N_NEW_LONG, "top_k": TOP_K}, ensure_ascii=False)[:-1]
        f.write(head + ', "prompts": [\n')
        f.write(",\n".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in prompts))
        f.write("\n]}\n")
    print(f"{len(cases)} tokenizer cases, {len(prompts)} prompts", file=sys.stderr)


if __name__ == "__main__":
    main()
