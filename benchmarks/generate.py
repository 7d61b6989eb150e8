"""Seeded, deterministic generator of benchmark documents and probe positions.

``generate(size, seed)`` returns a :class:`Corpus` holding

* a realistic Python file (tokenizer / model / ``generate()`` / ``TrainingArguments``
  calls with keyword arguments, ``batch["attention_mask"]`` subscripts, comments and
  docstrings using glossary phrases, some non-ASCII and astral-plane characters so
  that UTF-16 columns differ from code-point columns), and
* a Markdown file (headings, prose with glossary phrases, inline code, lists,
  tables and fenced ``python`` blocks),

each exactly ``size`` lines long, plus probe positions in LSP coordinates
(0-based line, UTF-16 ``character``):

* ``term``: inside a glossary term or argument name (hover should answer);
* ``nothing``: whitespace, blank lines, plain code or plain prose (nothing to say);
* ``completion``: where an editor asks for completion while typing arguments
  (after ``model(input_ids=x, ``, after ``batch["``, in the middle of a name).

Templates mark probe sites inline; the markers are stripped from the output:

* ``⟦text⟧``  a term probe; ``text`` is what the hover is about;
* ``⟪text⟫``  a nothing probe (a word with no glossary meaning);
* ``‸``       a completion probe (zero width).

Run ``python benchmarks/generate.py 2000 --out /tmp/docs`` to look at the output.
"""

# ruff: noqa: E501  (the templates are long lines of generated text)
from __future__ import annotations

import argparse
import os
import random
import re
from dataclasses import dataclass, field

TERM_OPEN, TERM_CLOSE = "⟦", "⟧"
NOTHING_OPEN, NOTHING_CLOSE = "⟪", "⟫"
CARET = "‸"
_MARKERS = {TERM_OPEN, TERM_CLOSE, NOTHING_OPEN, NOTHING_CLOSE, CARET}
_IDENT = re.compile(r"[A-Za-z0-9_]")
_HAS_MARKER = re.compile("[⟦⟧⟪⟫‸]")
_SPLIT = re.compile("([⟦⟧⟪⟫‸])")


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units."""
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le")) // 2


@dataclass(slots=True)
class Probe:
    doc: str  # "py" | "md"
    kind: str  # "term" | "nothing" | "completion"
    line: int
    character: int  # UTF-16 code units
    expect: str = ""  # term text (term), expected label (completion)
    length: int = 0  # UTF-16 length of the probed word (term / nothing)
    start: int = 0  # UTF-16 start column of the probed word
    context: str = ""  # "kwarg", "subscript", "prose", "inline", "comment", ...

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass
class Document:
    kind: str  # "py" | "md"
    language_id: str
    lines: list[str]  # without line terminators
    probes: list[Probe] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class Corpus:
    size: int
    seed: int
    py: Document
    md: Document

    def probes(self, kind: str, doc: str | None = None) -> list[Probe]:
        docs = [self.py, self.md] if doc is None else [getattr(self, doc)]
        return [p for d in docs for p in d.probes if p.kind == kind]


# --------------------------------------------------------------------------------------
# Builder: strips markers and records probes
# --------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.lines: list[str] = []
        self.probes: list[Probe] = []

    def add(self, *marked_lines: str) -> None:
        for marked in marked_lines:
            self._add_one(marked)

    def _add_one(self, marked: str) -> None:
        lineno = len(self.lines)
        first_probe = len(self.probes)
        if not _HAS_MARKER.search(marked):
            self._whitespace_probe(lineno, marked)
            self.lines.append(marked)
            return
        out: list[str] = []
        col16 = 0
        open_at: tuple[str, int, int] | None = None  # (marker, utf16 col, index in out)
        for piece in _SPLIT.split(marked):
            if not piece:
                continue
            if piece not in _MARKERS:
                out.append(piece)
                col16 += utf16_len(piece)
                continue
            ch = piece
            if ch in (TERM_OPEN, NOTHING_OPEN):
                open_at = (ch, col16, len(out))
            elif ch in (TERM_CLOSE, NOTHING_CLOSE):
                assert open_at is not None, marked
                marker, start16, start_idx = open_at
                word = "".join(out[start_idx:])
                kind = "term" if marker == TERM_OPEN else "nothing"
                self.probes.append(
                    Probe(
                        self.kind,
                        kind,
                        lineno,
                        start16,
                        expect=word if kind == "term" else "",
                        length=col16 - start16,
                        start=start16,
                        context=_context(marked, word),
                    )
                )
                open_at = None
            else:  # caret
                self.probes.append(Probe(self.kind, "completion", lineno, col16, context="caret"))
        line = "".join(out)
        # expected completion label: the identifier around the caret (may be empty)
        for p in self.probes[first_probe:]:
            if p.kind == "completion":
                idx = index_of_utf16(line, p.character)
                a = idx
                while a > 0 and _IDENT.match(line[a - 1]):
                    a -= 1
                b = idx
                while b < len(line) and _IDENT.match(line[b]):
                    b += 1
                p.expect = line[a:b]
                if idx >= 2 and line[idx - 2 : idx] == '["':
                    p.context = "subscript"
                elif a < idx:
                    p.context = "mid-word"
                else:
                    p.context = "argument"
        self._whitespace_probe(lineno, line)
        self.lines.append(line)

    def _whitespace_probe(self, lineno: int, line: str) -> None:
        """ "nothing" probes on blank lines and in indentation."""
        if not line.strip():
            self.probes.append(Probe(self.kind, "nothing", lineno, 0, context="blank"))
        elif line.startswith("    "):
            indent = len(line) - len(line.lstrip(" "))
            self.probes.append(Probe(self.kind, "nothing", lineno, indent // 2, context="indent"))


def _context(marked: str, word: str) -> str:
    i = marked.find(word + TERM_CLOSE)
    after = marked[i + len(word) + 1 : i + len(word) + 3] if i >= 0 else ""
    before = marked[max(0, i - 3) : i] if i >= 0 else ""
    if after.startswith("=") and not after.startswith("=="):
        return "kwarg"
    if before.endswith('["') or before.endswith("['"):
        return "subscript"
    if before.endswith("`"):
        return "inline"
    if "#" in marked[: max(i, 0)]:
        return "comment"
    return "prose"


def index_of_utf16(line: str, col16: int) -> int:
    """String index of a UTF-16 column (the client's own conversion, independent of the server's)."""
    if line.isascii():
        return min(col16, len(line))
    n = 0
    for i, ch in enumerate(line):
        if n >= col16:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


# --------------------------------------------------------------------------------------
# Vocabulary used by the templates (a realistic slice of Transformers)
# --------------------------------------------------------------------------------------

CHECKPOINTS = [
    "gpt2",
    "bert-base-uncased",
    "google-t5/t5-small",
    "facebook/bart-base",
    "meta-llama/Llama-3.2-1B",
    "distilbert-base-uncased",
    "google/vit-base-patch16-224",
    "openai/whisper-tiny",
    "mistralai/Mistral-7B-v0.1",
    "roberta-base",
]
PHRASES = [
    "causal language modeling",
    "masked language modeling",
    "attention mask",
    "self-attention",
    "input IDs",
    "token type IDs",
    "position IDs",
    "decoder input IDs",
    "labels",
    "autoregressive models",
    "autoencoding models",
    "encoder models",
    "decoder models",
    "sequence-to-sequence",
    "transfer learning",
    "pretrained model",
    "fine-tuned models",
    "feature extraction",
    "pixel values",
    "image patch",
    "pooling",
    "tokenizer",
    "self-supervised learning",
    "representation learning",
    "pipeline",
    "preprocessing",
    "feed forward chunking",
    "hidden states",
    "logits",
    "padding",
    "truncation",
    "sampling rate",
    "beam search",
    "greedy decoding",
    "special tokens",
    "vocabulary",
]
ABBREVIATIONS = [
    "MLM",
    "CLM",
    "NLP",
    "NLU",
    "NLG",
    "LLM",
    "seq2seq",
    "ZeRO",
    "DP",
    "TP",
    "PP",
    "RNN",
    "CTC",
]
MODEL_ARGS = [
    "input_ids",
    "attention_mask",
    "token_type_ids",
    "position_ids",
    "head_mask",
    "inputs_embeds",
    "labels",
    "past_key_values",
    "use_cache",
    "output_attentions",
    "output_hidden_states",
    "return_dict",
]
SEQ2SEQ_ARGS = ["decoder_input_ids", "decoder_attention_mask", "encoder_outputs"]
TOKENIZER_ARGS = [
    ("padding", ['"longest"', '"max_length"', "True"]),
    ("truncation", ["True", '"only_second"']),
    ("max_length", ["128", "256", "512", "1024"]),
    ("return_tensors", ['"pt"', '"np"']),
    ("return_attention_mask", ["True"]),
    ("return_token_type_ids", ["False", "True"]),
    ("add_special_tokens", ["True", "False"]),
    ("stride", ["32", "64", "128"]),
    ("return_overflowing_tokens", ["True"]),
]
GENERATE_ARGS = [
    ("max_new_tokens", ["32", "64", "256"]),
    ("do_sample", ["True", "False"]),
    ("temperature", ["0.7", "1.0"]),
    ("top_k", ["50", "0"]),
    ("top_p", ["0.9", "0.95"]),
    ("num_beams", ["1", "4"]),
    ("repetition_penalty", ["1.1", "1.0"]),
    ("pad_token_id", ["tokenizer.eos_token_id"]),
    ("eos_token_id", ["tokenizer.eos_token_id"]),
]
TRAINING_ARGS = [
    ("output_dir", ['"out"', '"checkpoints/run"']),
    ("per_device_train_batch_size", ["8", "16", "32"]),
    ("per_device_eval_batch_size", ["8", "64"]),
    ("learning_rate", ["5e-5", "2e-5", "3e-4"]),
    ("num_train_epochs", ["1", "3"]),
    ("gradient_accumulation_steps", ["1", "4"]),
    ("warmup_steps", ["0", "500"]),
    ("weight_decay", ["0.0", "0.01"]),
    ("fp16", ["True", "False"]),
    ("eval_strategy", ['"steps"', '"epoch"']),
    ("save_steps", ["500", "1000"]),
    ("logging_steps", ["10", "50"]),
    ("gradient_checkpointing", ["True", "False"]),
]
HEADS = [
    "ForCausalLM",
    "ForMaskedLM",
    "ForSequenceClassification",
    "ForTokenClassification",
    "ForSeq2SeqLM",
    "ForQuestionAnswering",
]
PLAIN_WORDS = [
    "counter",
    "elapsed",
    "offset",
    "chunk",
    "result",
    "record",
    "bucket",
    "window",
    "cursor",
    "payload",
    "total",
    "handle",
]
PROSE_FILLER = [
    "In practice",
    "As a rule of thumb",
    "For this walkthrough",
    "On a single GPU",
    "When in doubt",
    "Most of the time",
    "In the next section",
    "Before training",
]
PROSE_PLAIN = [
    "the afternoon run finished quickly",
    "the numbers look reasonable",
    "this takes a while",
    "keep an eye on the clock",
    "nothing else changes",
    "the results are stable",
    "we repeat the experiment twice",
    "the script prints a summary",
]
UNICODE_BITS = ["🤗", "café", "naïve", "über", "→", "—", "😀", "日本語", "𝒳", "ü"]


def _kw(rng: random.Random, pool: list[tuple[str, list[str]]], k: int) -> list[tuple[str, str]]:
    picked = rng.sample(pool, k)
    return [(name, rng.choice(values)) for name, values in picked]


def _phrase(rng: random.Random) -> str:
    return f"{TERM_OPEN}{rng.choice(PHRASES)}{TERM_CLOSE}"


def _abbr(rng: random.Random) -> str:
    return f"{TERM_OPEN}{rng.choice(ABBREVIATIONS)}{TERM_CLOSE}"


def _t(word: str) -> str:
    return f"{TERM_OPEN}{word}{TERM_CLOSE}"


def _n(word: str) -> str:
    return f"{NOTHING_OPEN}{word}{NOTHING_CLOSE}"


# --------------------------------------------------------------------------------------
# Python blocks
# --------------------------------------------------------------------------------------


def _py_header(rng: random.Random) -> list[str]:
    return [
        '"""Training and inference utilities generated for the benchmark.',
        "",
        f"Covers {_phrase(rng)}, {_phrase(rng)} and {_abbr(rng)} fine-tuning with 🤗 Transformers.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import math",
        "import os",
        "",
        "import torch",
        "from torch.utils.data import DataLoader",
        "from transformers import (",
        "    AutoModelForCausalLM,",
        "    AutoModelForMaskedLM,",
        "    AutoModelForSeq2SeqLM,",
        "    AutoTokenizer,",
        "    Trainer,",
        "    TrainingArguments,",
        ")",
        "",
        'tokenizer = AutoTokenizer.from_pretrained("gpt2")',
        'model = AutoModelForCausalLM.from_pretrained("gpt2")',
        "",
        "",
    ]


def _py_collate(rng: random.Random, k: int) -> list[str]:
    pad = rng.choice(['"longest"', '"max_length"', "True"])
    return [
        f"def collate_fn_{k}(examples):",
        f'    """Pad a batch for {_phrase(rng)}.',
        "",
        f"    The {_t('attention mask')} marks padding with 0 so that {_t('self-attention')} ignores it;",
        f"    {_t('labels')} equal to -100 are skipped by the loss ({_abbr(rng)} setup).",
        '    """',
        f'    batch = tokenizer.pad(examples, {_t("padding")}={pad}, {_t("return_tensors")}="pt")',
        f'    batch["{_t("labels")}"] = batch["{_t("input_ids")}"].clone()',
        f'    batch["{_t("labels")}"][batch["{_t("attention_mask")}"] == 0] = -100',
        "    return batch",
        "",
        "",
    ]


def _py_train_step(rng: random.Random, k: int) -> list[str]:
    args = rng.sample(MODEL_ARGS[1:7], 3)
    lines = [
        f"def training_step_{k}(model, batch, optimizer):",
        f"    # forward pass; for {_phrase(rng)} the model shifts the labels itself",
        "    outputs = model(",
        f'        {_t("input_ids")}=batch["{_t("input_ids")}"],',
    ]
    for a in args:
        lines.append(f'        {_t(a)}=batch["‸{_t(a)}"],')
    lines += [
        f"        {_t('output_hidden_states')}={rng.choice(['True', 'False'])},",
        "    )",
        "    loss = outputs.loss",
        "    loss.backward()",
        "    optimizer.step()",
        "    optimizer.zero_grad()",
        f"    {_n('elapsed')} = {_n('time_budget')} - {k}  # {rng.choice(UNICODE_BITS)} {_phrase(rng)}",
        "    return loss.item()",
        "",
        "",
    ]
    return lines


def _py_tokenize(rng: random.Random, k: int) -> list[str]:
    kws = _kw(rng, TOKENIZER_ARGS, 4)
    call = ", ".join(f"{_t(n)}={v}" for n, v in kws)
    a, b = rng.sample(MODEL_ARGS[1:5], 2)
    return [
        f"def encode_{k}(texts, max_len={rng.choice([128, 256, 512])}):",
        f"    # {rng.choice(UNICODE_BITS)} tokenize for {_phrase(rng)}: {_t('input IDs')} and the {_t('attention mask')}",
        f"    enc = tokenizer(texts, {call})",
        f'    out = model(input_ids=enc["input_ids"], ‸{_t(a)}=enc["{_t(a)}"])',
        f'    logits = model(enc["input_ids"], {b[:4]}‸{b[4:]}=enc["{b}"]).logits',
        f"    {_n('window')} = min(max_len, {_n('len')}(texts))",
        "    return enc, logits",
        "",
        "",
    ]


def _py_generate(rng: random.Random, k: int) -> list[str]:
    kws = _kw(rng, GENERATE_ARGS, 4)
    lines = [
        f"def sample_{k}(prompt):",
        f'    """Greedy or sampled decoding, as done by {_t("autoregressive models")}."""',
        f'    enc = tokenizer(prompt, {_t("return_tensors")}="pt")',
        "    generated = model.generate(",
        f'        {_t("input_ids")}=enc["{_t("input_ids")}"],',
        f'        {_t("attention_mask")}=enc["{_t("attention_mask")}"],',
    ]
    for n, v in kws:
        lines.append(f"        {_t(n)}={v},")
    lines += [
        "        ‸",
        "    )",
        "    return tokenizer.batch_decode(generated, skip_special_tokens=True)",
        "",
        "",
    ]
    return lines


def _py_seq2seq(rng: random.Random, k: int) -> list[str]:
    ckpt = rng.choice(["google-t5/t5-small", "facebook/bart-base"])
    return [
        f"class Seq2SeqWrapper{k}(torch.nn.Module):",
        f'    """Wraps {_t("encoder models")} and {_t("decoder models")} for {_t("sequence-to-sequence")} ({_t("seq2seq")}) tasks.',
        "",
        f"    The {_t('decoder input IDs')} are the {_t('labels')} shifted right; see {_phrase(rng)}.",
        '    """',
        "",
        "    def __init__(self):",
        "        super().__init__()",
        f'        self.inner = AutoModelForSeq2SeqLM.from_pretrained("{ckpt}")',
        "",
        "    def forward(self, batch):",
        "        return self.inner(",
        f'            {_t("input_ids")}=batch["{_t("input_ids")}"],',
        f'            {_t("attention_mask")}=batch["{_t("attention_mask")}"],',
        f'            {_t("decoder_input_ids")}=batch.get("{_t("decoder_input_ids")}"),',
        f'            {_t("decoder_attention_mask")}=batch.get("{_t("decoder_attention_mask")}"),',
        f'            {_t("labels")}=batch["‸{_t("labels")}"],',
        "        )",
        "",
        "",
    ]


def _py_vision(rng: random.Random, k: int) -> list[str]:
    return [
        f"def classify_images_{k}(images, processor, model):",
        f"    # {_t('pixel values')} come from the image processor; each {_t('image patch')} is a token",
        f'    inputs = processor(images=images, {_t("return_tensors")}="pt")',
        f'    logits = model({_t("pixel_values")}=inputs["{_t("pixel_values")}"], ‸).logits',
        f"    {_n('predicted')} = logits.argmax(-1)",
        f"    return {_n('predicted')}",
        "",
        "",
    ]


def _py_plain(rng: random.Random, k: int) -> list[str]:
    w1, w2 = rng.sample(PLAIN_WORDS, 2)
    return [
        f"def {_n('moving_average')}_{k}(values, {_n('width')}={rng.randint(2, 9)}):",
        f"    {_n(w1)} = 0.0",
        f"    {w2} = []",
        f"    for {_n('index')}, value in {_n('enumerate')}(values):",
        f"        {w1} += value",
        f"        if index >= {_n('width')}:",
        f"            {w1} -= values[index - width]",
        f"        {w2}.append({w1} / {_n('min')}(index + 1, width))",
        f"    return {w2}",
        "",
        "",
    ]


def _py_trainer(rng: random.Random, k: int) -> list[str]:
    kws = _kw(rng, TRAINING_ARGS, 6)
    lines = [
        f"def make_trainer_{k}(model, train_dataset, eval_dataset):",
        f"    # {_abbr(rng)} run with {_t('gradient_accumulation_steps')}; {_phrase(rng)} ({rng.choice(UNICODE_BITS)})",
        "    args = TrainingArguments(",
    ]
    for n, v in kws:
        lines.append(f"        {_t(n)}={v},")
    lines += [
        "        ‸",
        "    )",
        "    return Trainer(model=model, args=args, train_dataset=train_dataset, eval_dataset=eval_dataset)",
        "",
        "",
    ]
    return lines


def _py_comment(rng: random.Random, k: int) -> list[str]:
    u = rng.choice(UNICODE_BITS)
    return [
        f"# {u} Section {k}: {_phrase(rng)} vs {_phrase(rng)} — {_abbr(rng)} {u} {_t('self-attention')} notes",
        f"# {_n('Remember')} to check {_t('token type IDs')} for BERT-style pairs.",
        f"{_n('SECTION')}_{k}_{_n('ENABLED')} = {rng.choice(['True', 'False'])}",
        "",
        "",
    ]


PY_BLOCKS = [
    (_py_collate, 3),
    (_py_train_step, 3),
    (_py_tokenize, 3),
    (_py_generate, 2),
    (_py_seq2seq, 1),
    (_py_vision, 1),
    (_py_plain, 3),
    (_py_trainer, 1),
    (_py_comment, 2),
]


# --------------------------------------------------------------------------------------
# Markdown blocks
# --------------------------------------------------------------------------------------


def _md_header(rng: random.Random) -> list[str]:
    return [
        "# Fine-tuning notes",
        "",
        f"This page walks through {_phrase(rng)}, {_phrase(rng)} and {_abbr(rng)} with 🤗 Transformers.",
        "",
    ]


def _md_section(rng: random.Random, k: int) -> list[str]:
    return [
        f"## {k}. {_phrase(rng)} in practice",
        "",
        f"{rng.choice(PROSE_FILLER)}, {_phrase(rng)} relies on the {_t('attention mask')}: pass",
        f"`{_t('attention_mask')}` next to `{_t('input_ids')}` so {_t('self-attention')} skips padding;",
        f"{_n('otherwise')} {rng.choice(PROSE_PLAIN)}. {_t('MLM')} and {_abbr(rng)} differ in their {_t('labels')}.",
        f"{rng.choice(UNICODE_BITS)} A {_t('pretrained model')} is {_n('cheap')} to adapt via {_t('transfer learning')}.",
        "",
    ]


def _md_list(rng: random.Random, k: int) -> list[str]:
    picks = rng.sample(MODEL_ARGS, 4)
    lines = [f"The arguments used in example {k}:", ""]
    for a in picks:
        lines.append(f"- `{_t(a)}`: see {_phrase(rng)} ({rng.choice(UNICODE_BITS)}).")
    lines.append("")
    return lines


def _md_code(rng: random.Random, k: int) -> list[str]:
    kws = _kw(rng, TOKENIZER_ARGS, 3)
    call = ", ".join(f"{_t(n)}={v}" for n, v in kws)
    return [
        "```python",
        f'enc = tokenizer(["hello world"] * {k % 7 + 1}, {call})',
        "outputs = model(",
        f'    {_t("input_ids")}=enc["{_t("input_ids")}"],',
        f'    ‸{_t("attention_mask")}=enc["‸{_t("attention_mask")}"],',
        f'    {_t("labels")}=enc["{_t("input_ids")}"],',
        ")",
        f"{_n('print')}(outputs.loss)  # {_phrase(rng)}",
        "```",
        "",
    ]


def _md_table(rng: random.Random, k: int) -> list[str]:
    a, b = rng.sample(MODEL_ARGS, 2)
    return [
        "| argument | shape | meaning |",
        "| --- | --- | --- |",
        f"| `{_t(a)}` | `(batch_size, sequence_length)` | {_phrase(rng)} |",
        f"| `{_t(b)}` | `(batch_size, sequence_length)` | {_n('plain')} {rng.choice(PROSE_PLAIN)} |",
        "",
    ]


def _md_plain(rng: random.Random, k: int) -> list[str]:
    return [
        f"{_n('Yesterday')} {rng.choice(PROSE_PLAIN)}, and {rng.choice(PROSE_PLAIN)}.",
        f"{_n('Then')} {rng.choice(PROSE_PLAIN)} — {_n('again')} ({rng.choice(UNICODE_BITS)}).",
        "",
    ]


MD_BLOCKS = [(_md_section, 3), (_md_list, 2), (_md_code, 2), (_md_table, 1), (_md_plain, 2)]


# --------------------------------------------------------------------------------------


def _build(kind: str, size: int, rng: random.Random) -> Document:
    b = _Builder(kind)
    header = _py_header if kind == "py" else _md_header
    blocks = PY_BLOCKS if kind == "py" else MD_BLOCKS
    funcs = [f for f, w in blocks for _ in range(w)]
    b.add(*header(rng))
    k = 0
    while True:
        block = rng.choice(funcs)(rng, k)
        if len(b.lines) + len(block) > size:
            break
        b.add(*block)
        k += 1
    # pad to exactly `size` lines with plain filler
    while len(b.lines) < size:
        if kind == "py":
            b.add(f"# filler {len(b.lines)}" if len(b.lines) % 2 else "")
        else:
            b.add("" if len(b.lines) % 2 else f"Filler line {len(b.lines)}.")
    assert len(b.lines) == size, (kind, len(b.lines), size)
    return Document(kind, "python" if kind == "py" else "markdown", b.lines, b.probes)


def generate(size: int, seed: int = 6) -> Corpus:
    """Both documents of ``size`` lines, deterministic for a given (size, seed)."""
    rng = random.Random(f"{seed}:{size}")
    py = _build("py", size, rng)
    md = _build("md", size, rng)
    return Corpus(size, seed, py, md)


def sample_probes(probes: list[Probe], n: int, rng: random.Random) -> list[Probe]:
    """Up to ``n`` probes spread over the whole document, in shuffled order."""
    if len(probes) <= n:
        out = list(probes)
    else:
        step = len(probes) / n
        out = [probes[int(i * step + rng.random() * step)] for i in range(n)]
    rng.shuffle(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size", type=int)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument(
        "--out", default=None, help="directory to write bench.py / bench.md / probes.json"
    )
    args = ap.parse_args()
    c = generate(args.size, args.seed)
    for d in (c.py, c.md):
        kinds: dict[str, int] = {}
        for p in d.probes:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        print(f"{d.kind}: {len(d.lines)} lines, {len(d.text)} chars, probes {kinds}")
    if args.out:
        import json

        os.makedirs(args.out, exist_ok=True)
        for d in (c.py, c.md):
            with open(
                os.path.join(args.out, f"bench_{args.size}.{d.kind}"), "w", encoding="utf-8"
            ) as f:
                f.write(d.text)
        with open(os.path.join(args.out, f"probes_{args.size}.json"), "w", encoding="utf-8") as f:
            json.dump(
                [p.to_json() for p in c.py.probes + c.md.probes], f, ensure_ascii=False, indent=0
            )


if __name__ == "__main__":
    main()
