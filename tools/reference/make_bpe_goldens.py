#!/usr/bin/env python3
"""Golden outputs for tessera's byte-level BPE tokenizers (tests/test_bpe.cpp).

Reference: HF `tokenizers` (Rust). Needs `pip install tokenizers transformers gguf jinja2`
(no torch). Writes, under tests/golden/tokenizers/:

  smollm2_ids.jsonl        SmolLM2-135M-Instruct: ids for every input in three modes
                           ("ids": HF default, special-token text parsed, add_special_tokens;
                            "ids_plain": add_special_tokens=False;
                            "ids_literal": special-token text kept literal = tessera's default)
  smollm2_chat.jsonl       chat template renderings (HF's jinja rendering) and their ids
  pretokenize_splits.jsonl byte end offsets of the pre-tokens of every input for the gpt2,
                           smollm, llama3 and qwen2 pre-tokenizers
  bpe_small_*.json         tiny tokenizer.json files trained here (gpt2 / llama3 / smollm
                           configurations, one with byte_fallback) and
  bpe_small_ids.jsonl      their ids on every input

Why SmolLM2's reference is built here rather than with transformers' GGUF loader:
transformers 5.x builds GGUF "gpt2" vocabularies as GPT2Tokenizer and only replaces the
pre-tokenizer for the names it lists; "smollm" is not among them, so it would split digit
runs ("12345" one piece) where SmolLM2's real tokenizer.json (Sequence[Digits(individual_
digits=true), ByteLevel]) and llama.cpp ("smollm": \\p{N} then the GPT-2 regex) split every
digit. So the vocabulary and merges are read from the GGUF with gguf-py and put into a
`tokenizers` BPE with SmolLM2's tokenizer.json configuration: no normalizer; that
pre-tokenizer; BPE without unk token, dropout, byte fallback or ignore_merges; ByteLevel
decoder and post-processor; the 17 control tokens as special added tokens.

Invalid UTF-8 inputs (tests/data/tokenizer_corpus_bytes.txt, hex) are decoded with
errors="replace" (U+FFFD per maximal subpart), which is tessera's documented policy.

Usage: python3 tools/reference/make_bpe_goldens.py [--gguf PATH]
"""
import argparse
import json
import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "tests", "golden", "tokenizers")
DEFAULT_GGUF = os.path.join(
    os.environ.get("TESSERA_MODELS", os.path.expanduser("~/.cache/tessera/models")),
    "SmolLM2-135M-Instruct", "SmolLM2-135M-Instruct.Q4_1.gguf")

GPT2_PATTERN = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                  r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = LLAMA3_PATTERN.replace(r"\p{N}{1,3}", r"\p{N}")

# Inputs aimed at BPE and the pre-tokenizers; the shared parity corpus is added to these.
EXTRA_INPUTS = [
    "", " ", "  ", "\n", "\t", "a", "Hello world", "Hello, world!", " leading space", "trailing space ",
    "I'm sure they'll say it's fine, don't you think? We've seen it. I'd go.",
    "I'M SURE THEY'LL SAY IT'S FINE. WE'VE, I'D, YOU'RE", "'s 't 're 've 'm 'll 'd", "''s '''", "'sun 'tea",
    "it\u2019s curly", "\u017fome 'ſ long s", "x's y'S z'RE",
    "12345", "1 2 3", "a1b22c333d4444", "3.14159 and 1,000,000 and $19.99", "Price: €1.299,00 (incl. VAT)",
    "٣٤٥ Arabic-Indic digits, ²³ superscripts, ½ fractions, Ⅻ roman, ① circled",
    "a  b   c    d", "a\n\nb", "a\n \nb", "a \n b", "\n\n\n", "  \n  ", "x  \t  y", "\r\n\r\nline\r\n",
    "tabs\tand\nnewlines\r\nmixed", "ends with newline\n", "ends with spaces   ", "   starts with spaces",
    "nbsp\u00a0here\u00a0\u00a0twice", "ideographic\u3000space", "em\u2003space", "line\u2028sep para\u2029sep",
    "nel\u0085here", "\x1c\x1d\x1e\x1f info separators", "vt\x0bff\x0c", "zero\u200bwidth",
    "<|im_start|>user\nHi<|im_end|>", "text <|endoftext|> more", "<|im_start|><|im_end|>", "<|im_start",
    "<<|im_end|>>", "<repo_name>x<filename>y", "<|endoftext|><|endoftext|>", "<|im_end|",
    "Café naïve résumé façade Ångström", "cafe\u0301 decomposed", "Ελληνικά κείμενο", "Русский текст",
    "日本語のテキスト", "中文商品标题：无线蓝牙耳机 降噪", "한국어 텍스트", "مرحبا بالعالم", "עברית",
    "हिन्दी पाठ", "ไทยภาษา",
    "Emoji: 😀👍🏽🇺🇸 and ❤️ and 👨‍👩‍👧", "🤖🤖🤖", "\U0001F600" * 10,
    "def foo(x):\n    return x ** 2  # comment\n", "if (a && b || !c) { x += 1; }", "<div class=\"x\">&amp;</div>",
    "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Windows\\System32",
    "----====****!!!!????....", "...", "!!!", "(((nested)))", "[[[", "}}}", "@@@@", "###", "a-b_c.d/e",
    "CamelCaseWordsAndALLCAPS", "snake_case_identifier_name", "x" * 300, "ab" * 200, " " * 50, "\n" * 30,
    "Supercalifragilisticexpialidocious" * 5, "\u0000embedded\u0000nul", "\x04\x06\x13 dropped bytes \x14\x16\x1d",
    "\U00041234 plane-4 char", "\ufffd replacement", "\ufeffBOM at start",
]


def read_corpus():
    """The shared parity corpus (tests/data/tokenizer_corpus.jsonl and the invalid-UTF-8 file), if present."""
    inputs = []
    path = os.path.join(REPO, "tests", "data", "tokenizer_corpus.jsonl")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                v = json.loads(line)
                inputs.append(v["text"] if isinstance(v, dict) else v)
    raw = []
    path = os.path.join(REPO, "tests", "data", "tokenizer_corpus_bytes.txt")
    if os.path.exists(path):
        with open(path, encoding="ascii") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    raw.append(bytes.fromhex(line))
    return inputs, raw


def byte_ends(text, offsets):
    """Pre-token char offsets -> UTF-8 byte end offsets."""
    pos = [0]
    for ch in text:
        pos.append(pos[-1] + len(ch.encode("utf-8")))
    ends = []
    last = 0
    for (b, e) in offsets:
        if b != last:
            raise SystemExit(f"pre-tokens do not cover the text: {text!r} {offsets}")
        ends.append(pos[e])
        last = e
    if last != len(text):
        raise SystemExit(f"pre-tokens do not cover the text: {text!r}")
    return ends


def smollm2_tokenizer(gguf_path):
    import gguf
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    r = gguf.GGUFReader(gguf_path)
    f = r.fields
    tokens = [f["tokenizer.ggml.tokens"].contents(i) for i in range(len(f["tokenizer.ggml.tokens"].data))]
    types = [f["tokenizer.ggml.token_type"].contents(i) for i in range(len(f["tokenizer.ggml.token_type"].data))]
    merges = [tuple(f["tokenizer.ggml.merges"].contents(i).split(" ", 1))
              for i in range(len(f["tokenizer.ggml.merges"].data))]
    assert f["tokenizer.ggml.pre"].contents() == "smollm"
    template = f["tokenizer.chat_template"].contents()
    vocab = {t: i for i, t in enumerate(tokens)}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t, ty in zip(tokens, types) if ty == 3])
    for t, ty in zip(tokens, types):
        if ty == 3:
            assert tok.token_to_id(t) == vocab[t]
    return tok, template


def encode_modes(tok, text):
    tok.encode_special_tokens = False
    ids = tok.encode(text, add_special_tokens=True).ids
    plain = tok.encode(text, add_special_tokens=False).ids
    tok.encode_special_tokens = True
    literal = tok.encode(text, add_special_tokens=False).ids
    tok.encode_special_tokens = False
    return ids, plain, literal


def modes_row(row, prefix, ids, plain, literal):
    """Adds the three id lists; the plain and literal ones only where they differ from `ids` (smaller files)."""
    row[prefix + "ids"] = ids
    if plain != ids:
        row[prefix + "ids_plain"] = plain
    if literal != ids:
        row[prefix + "ids_literal"] = literal
    return row


def render_chat(template, messages, add_generation_prompt):
    # transformers' own renderer (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks).
    from transformers.utils.chat_template_utils import render_jinja_template
    rendered, _ = render_jinja_template(conversations=[messages], chat_template=template,
                                        add_generation_prompt=add_generation_prompt)
    return rendered[0]


CONVERSATIONS = [
    [{"role": "user", "content": "Hello!"}],
    [{"role": "system", "content": "You are a shop assistant."}, {"role": "user", "content": "Do you ship to Lyon?"}],
    [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4."},
     {"role": "user", "content": "And 3+3?"}],
    [{"role": "user", "content": "Multi-line\n\n  question\twith tabs  "}],
    [{"role": "user", "content": "  leading spaces and trailing newline\n"}],
    [{"role": "user", "content": ""}],
    [{"role": "user", "content": "中文问题：这个耳机有保修吗？😀"}],
    [{"role": "assistant", "content": "I start."}, {"role": "user", "content": "ok"}],
    [{"role": "system", "content": ""}, {"role": "user", "content": "empty system"}],
    [],
]


def small_tokenizers(texts):
    """Tiny BPE tokenizers trained on the inputs, in the configurations tessera loads from tokenizer.json."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers, AddedToken
    byte_alphabet = pre_tokenizers.ByteLevel.alphabet()
    configs = {}

    def train(pre, ignore_merges=False, vocab_size=2000, byte_fallback=False, post=None, specials=()):
        tok = Tokenizer(models.BPE(ignore_merges=ignore_merges, byte_fallback=byte_fallback))
        tok.pre_tokenizer = pre
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=byte_alphabet,
                                      special_tokens=list(specials), show_progress=False)
        tok.train_from_iterator([t for t in texts if t], trainer=trainer)
        if post is not None:
            tok.post_processor = post(tok)
        return tok

    bl = lambda rx: pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=rx)
    configs["gpt2"] = train(bl(True), specials=["<|endoftext|>"],
                            post=lambda t: processors.ByteLevel(trim_offsets=False))
    configs["llama3"] = train(pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(LLAMA3_PATTERN), "isolated"),
                                                       bl(False)]),
                              ignore_merges=True, specials=["<|begin_of_text|>", "<|eot_id|>"],
                              post=lambda t: processors.TemplateProcessing(
                                  single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                  special_tokens=[("<|begin_of_text|>", t.token_to_id("<|begin_of_text|>"))]))
    configs["smollm"] = train(pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), bl(True)]),
                              specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    # A user-defined (non-special) added token, always split out.
    configs["smollm"].add_tokens([AddedToken("<tool>", special=False, normalized=False)])
    return configs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)

    corpus, raw = read_corpus()
    inputs = list(dict.fromkeys(EXTRA_INPUTS + corpus))  # unique, order kept
    raw_inputs = [(b.hex(), b.decode("utf-8", errors="replace")) for b in raw]
    print(f"{len(inputs)} text inputs, {len(raw_inputs)} invalid-UTF-8 inputs", file=sys.stderr)

    tok, template = smollm2_tokenizer(args.gguf)
    with open(os.path.join(OUT, "smollm2_ids.jsonl"), "w", encoding="utf-8") as f:
        for text in inputs:
            f.write(json.dumps(modes_row({"text": text}, "", *encode_modes(tok, text)), ensure_ascii=False) + "\n")
        for hx, text in raw_inputs:
            f.write(json.dumps(modes_row({"hex": hx, "text": text}, "", *encode_modes(tok, text)),
                               ensure_ascii=False) + "\n")

    with open(os.path.join(OUT, "smollm2_chat.jsonl"), "w", encoding="utf-8") as f:
        for messages in CONVERSATIONS:
            for gen in (False, True):
                text = render_chat(template, messages, gen)
                ids = tok.encode(text, add_special_tokens=False).ids  # what apply_chat_template(tokenize=True) gives
                f.write(json.dumps({"messages": messages, "add_generation_prompt": gen, "text": text, "ids": ids},
                                   ensure_ascii=False) + "\n")

    from tokenizers import Regex, pre_tokenizers
    pres = {
        "gpt2": pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        "smollm": pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                           pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]),
        "llama3": pre_tokenizers.Split(Regex(LLAMA3_PATTERN), "isolated"),
        "qwen2": pre_tokenizers.Split(Regex(QWEN2_PATTERN), "isolated"),
    }
    with open(os.path.join(OUT, "pretokenize_splits.jsonl"), "w", encoding="utf-8") as f:
        for text in inputs + [t for _, t in raw_inputs]:
            row = {"text": text}
            for name, p in pres.items():
                row[name] = byte_ends(text, [o for _, o in p.pre_tokenize_str(text)])
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    small = small_tokenizers(inputs)
    for name, t in small.items():
        t.save(os.path.join(OUT, f"bpe_small_{name}.json"))
    # A subset keeps the file small: the BPE inputs, every 6th corpus line, the invalid UTF-8 ones.
    subset = list(dict.fromkeys(EXTRA_INPUTS + corpus[::6])) + [t for _, t in raw_inputs]
    with open(os.path.join(OUT, "bpe_small_ids.jsonl"), "w", encoding="utf-8") as f:
        for text in subset:
            row = {"text": text}
            for name, t in small.items():
                modes_row(row, name + "_", *encode_modes(t, text))
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
