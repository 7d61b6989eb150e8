# ruff: noqa: E501  (table rows: one case per line reads better than wrapped)
"""Which term is at a position: table-driven over Python and Markdown samples.

Each row is one sample with the cursor marked `‸`, the expected entry id (None: nothing there)
and the exact span as string indices (start_line, start, end_line, end).
"""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls import documents
from transformers_glossary_ls.analysis import language_of
from transformers_glossary_ls.documents import BLOCK_LINES, Document
from transformers_glossary_ls.spotting import CODE, PROSE, STRING, Spot, spot, spot_all

from .conftest import UPSTREAM, analysis_of, cursor_of, make_doc

PY, MD = "python", "markdown"


def row(case_id, language, marked, entry_id, span=None):
    return pytest.param(language, marked, entry_id, span, id=case_id)


PYTHON_CASES = [
    # --- identifiers: keyword arguments, attributes, variables, subscript and dict keys --------
    row("kwarg", PY, "out = model(input_‸ids=ids)", "input_ids", (0, 12, 0, 21)),
    row(
        "kwarg, cursor at word start",
        PY,
        "out = model(‸input_ids=ids)",
        "input_ids",
        (0, 12, 0, 21),
    ),
    row(
        "kwarg, cursor right after word",
        PY,
        "out = model(input_ids‸=ids)",
        "input_ids",
        (0, 12, 0, 21),
    ),
    row(
        "second kwarg",
        PY,
        "model(input_ids=i, attention_‸mask=m)",
        "attention_mask",
        (0, 19, 0, 33),
    ),
    row("kwarg with spaces", PY, "model(lab‸els  = y)", "labels", (0, 6, 0, 12)),
    row(
        "kwarg on continuation line",
        PY,
        "out = model(\n    pixel_‸values=px,\n)",
        "pixel_values",
        (1, 4, 1, 16),
    ),
    row("attribute", PY, "mask = outputs.attention_‸mask", "attention_mask", (0, 15, 0, 29)),
    row(
        "attribute after space",
        PY,
        "x = outputs . past_key_‸values",
        "past_key_values",
        (0, 14, 0, 29),
    ),
    row(
        "model input as bare variable",
        PY,
        "attention_‸mask = torch.ones(2, 3)",
        "attention_mask",
        (0, 0, 0, 14),
    ),
    row(
        "model input as argument value",
        PY,
        "model(ids, attention_mask=attention_‸mask)",
        "attention_mask",
        (0, 26, 0, 40),
    ),
    row("subscript key", PY, 'm = batch["attention_‸mask"]', "attention_mask", (0, 11, 0, 25)),
    row(
        "subscript key single quotes", PY, "ids = batch['input_‸ids']", "input_ids", (0, 13, 0, 22)
    ),
    row("dict key", PY, 'feed = {"lab‸els": y}', "labels", (0, 9, 0, 15)),
    row(
        "string list",
        PY,
        'ds = ds.remove_columns(["token_type_‸ids"])',
        "token_type_ids",
        (0, 25, 0, 39),
    ),
    # --- option names are options only as keywords or attributes -------------------------------
    row("assignment of an option-named variable", PY, "deb‸ug = True", None),
    row(
        "option keyword on a line of its own",
        PY,
        "enc = tok(\n    padd‸ing=True,\n)",
        "padding",
        (1, 4, 1, 11),
    ),
    row("option as an attribute", PY, "lr = args.learning_‸rate", "learning_rate", (0, 10, 0, 23)),
    row("self attribute named like an option", PY, "self.te‸xt = text", None),
    row("string key naming a user column", PY, 'x = batch["te‸xt"]', None),
    row(
        "string list second item", PY, 'cols = ["text", "input_‸ids"]', "input_ids", (0, 17, 0, 26)
    ),
    row("string that is not a bare name", PY, 'print("attention_‸mask is used")', None),
    row("name inside a longer identifier", PY, "my_attention_‸mask = 1", None),
    row("identifier prefix of a name", PY, "input_i‸d = 1", None),
    # --- options only count as keywords or attributes ---------------------------------------
    row(
        "option as keyword",
        PY,
        'enc = tokenizer(texts, padd‸ing="max_length")',
        "padding",
        (0, 23, 0, 30),
    ),
    row("one-word option of an unknown value", PY, "if args.padd‸ing:", None),
    row(
        "one-word option of known arguments",
        PY,
        "args = TrainingArguments('o')\nif args.se‸ed:",
        "seed",
        (1, 8, 1, 12),
    ),
    row("one-word option in a call we cannot place", PY, "kw = dict(revi‸sion='main')", None),
    row(
        "one-word option in a call we know",
        PY,
        "m = AutoModel.from_pretrained(n, revi‸sion='main')",
        "revision",
        (0, 33, 0, 41),
    ),
    row(
        "snake-case option in any call",
        PY,
        "kw = dict(trust_remote_‸code=True)",
        "trust_remote_code",
        (0, 10, 0, 27),
    ),
    row("method named like an option", PY, "trainer.push_to_‸hub(name)", None),
    row(
        "option named like a method, read",
        PY,
        "if args.push_to_‸hub:",
        "push_to_hub",
        (0, 8, 0, 19),
    ),
    row("option as bare variable", PY, "if padd‸ing:", None),
    row("option compared with ==", PY, "ok = trunc‸ation == True", None),
    row(
        "option in TrainingArguments",
        PY,
        "TrainingArguments(output_dir='o', learning_‸rate=2e-5)",
        "learning_rate",
        (0, 34, 0, 47),
    ),
    row(
        "tokenizer option return_tensors",
        PY,
        'tokenizer(t, return_‸tensors="pt")',
        "return_tensors",
        (0, 13, 0, 27),
    ),
    # --- code words are not prose ---------------------------------------------------------
    row("code word head", PY, "he‸ad = model.head", None),
    row("code word head attribute", PY, "head = model.he‸ad", None),
    row("code word token", PY, "tok‸en = tokens[0]", None),
    row("tokenizer in code", PY, "tok‸enizer = AutoTokenizer.from_pretrained(name)", None),
    row("seed term in a plain string", PY, 's = "causal lang‸uage modeling"', None),
    # --- comments -------------------------------------------------------------------------
    row(
        "comment phrase",
        PY,
        "x = 1  # use causal lang‸uage modeling",
        "causal-language-modeling",
        (0, 13, 0, 37),
    ),
    row(
        "comment phrase, last word",
        PY,
        "# causal language model‸ing",
        "causal-language-modeling",
        (0, 2, 0, 26),
    ),
    row(
        "comment phrase across comment lines",
        PY,
        "# we train with causal language\n# model‸ing only",
        "causal-language-modeling",
        (0, 16, 1, 10),
    ),
    row(
        "comment phrase across lines, first line",
        PY,
        "# we train with cau‸sal language\n# modeling only",
        "causal-language-modeling",
        (0, 16, 1, 10),
    ),
    row(
        "indented comment lines join",
        PY,
        "    # masked\n    # language mod‸eling",
        "masked-language-modeling",
        (0, 6, 1, 23),
    ),
    row("comment lines split by code", PY, "# causal language\nx = 1\n# model‸ing", None),
    row("comment line after code+comment", PY, "x = 1  # causal language\n# model‸ing", None),
    row("sentence end stops the phrase", PY, "# causal. Language mod‸eling", None),
    row(
        "argument name in a comment",
        PY,
        "# pass token_type_‸ids too",
        "token_type_ids",
        (0, 7, 0, 21),
    ),
    row(
        "tokenizer in a comment is the tokenizer, not token",
        PY,
        "# the tokeni‸zer splits text",
        "tokenizer-term",
        (0, 6, 0, 15),
    ),
    row("tokens in a comment", PY, "# split into tok‸ens", "token", (0, 13, 0, 19)),
    row("hash inside a string is not a comment", PY, 'tag = "# causal language mod‸eling"', None),
    # --- docstrings -----------------------------------------------------------------------
    row(
        "one-line docstring",
        PY,
        '"""Uses masked language mod‸eling."""',
        "masked-language-modeling",
        (0, 8, 0, 32),
    ),
    row(
        "single-quote docstring, longest match",
        PY,
        "'''A pre‸-trained model.'''",
        "pretrained-model",
        (0, 5, 0, 22),
    ),
    row(
        "multi-line docstring body",
        PY,
        'def f():\n    """Train a\n    sequence to seq‸uence\n    model."""',
        "sequence-to-sequence",
        (2, 4, 2, 24),
    ),
    row(
        "phrase across docstring lines",
        PY,
        '"""Uses masked\nlanguage model‸ing."""',
        "masked-language-modeling",
        (0, 8, 1, 17),
    ),
    row(
        "phrase across indented docstring lines",
        PY,
        'def f():\n    """Uses a fine-\n    tuned mod‸el."""',
        "finetuned-models",
        (1, 14, 2, 15),
    ),
    row("code after docstring closes", PY, '"""Doc."""\nhe‸ad = 1', None),
    row(
        "docstring, second line code again",
        PY,
        '"""Doc\n"""\nmodel(input_‸ids=x)',
        "input_ids",
        (2, 6, 2, 15),
    ),
    # --- longest match, abbreviations, variants --------------------------------------------
    row(
        "longest match: decoder input IDs",
        PY,
        "# pass decoder input ‸IDs",
        "decoder-input-ids",
        (0, 7, 0, 24),
    ),
    row(
        "longest match from inner word",
        PY,
        "# pass decoder inp‸ut IDs",
        "decoder-input-ids",
        (0, 7, 0, 24),
    ),
    row("input IDs alone", PY, "# pass input ‸IDs", "input-ids", (0, 7, 0, 16)),
    row("input ids lower case", PY, "# pass input i‸ds", "input-ids", (0, 7, 0, 16)),
    row("ZeRO", PY, "# shard with Ze‸RO stage 3", "zero-redundancy-optimizer", (0, 13, 0, 17)),
    row("zero is not ZeRO", PY, "# ze‸ro padding", None),
    row("ZERO is not ZeRO", PY, "# ZE‸RO", None),
    row("TP", PY, "# shard with ‸TP", "tensor-parallelism", (0, 13, 0, 15)),
    row("tp is not TP", PY, "# shard with t‸p", None),
    row("MLM", PY, "# an ML‸M objective", "masked-language-modeling", (0, 5, 0, 8)),
    row("mlm is not MLM", PY, "# an ml‸m objective", None),
    row("plural", PY, "# two encoder mod‸els", "encoder-models", (0, 6, 0, 20)),
    row("plural of attention mask", PY, "# attention mas‸ks", "attention-mask", (0, 2, 0, 17)),
    row("self-attention", PY, "# self-atten‸tion layers", "self-attention", (0, 2, 0, 16)),
    row("self attention", PY, "# self atten‸tion layers", "self-attention", (0, 2, 0, 16)),
    row("fine-tuned", PY, "# a fine-tu‸ned checkpoint", "finetuned-models", (0, 4, 0, 14)),
    row("finetuned", PY, "# a fine‸tuned checkpoint", "finetuned-models", (0, 4, 0, 13)),
    row("pre-trained", PY, "# pre-tra‸ined weights", "pretrained-model", (0, 2, 0, 13)),
    row("pretrained model", PY, "# a pretrained mo‸del", "pretrained-model", (0, 4, 0, 20)),
    row("modelling", PY, "# causal language model‸ling", "causal-language-modeling", (0, 2, 0, 27)),
    row(
        "sequence to sequence",
        PY,
        "# a sequence to seq‸uence model",
        "sequence-to-sequence",
        (0, 4, 0, 24),
    ),
    row("seq2seq", PY, "# a seq2‸seq model", "sequence-to-sequence", (0, 4, 0, 11)),
    row("segment IDs", PY, "# segment ‸IDs", "token-type-ids", (0, 2, 0, 13)),
    row("model head", PY, "# the model he‸ad", "head", (0, 6, 0, 16)),
    # --- other scripts, tabs, CRLF --------------------------------------------------------
    row("emoji before a term", PY, "# \U0001f600 attention ma‸sk", "attention-mask", (0, 4, 0, 18)),
    row(
        "emoji before an identifier",
        PY,
        "x = '\U0001f600'; model(input_‸ids=x)",
        "input_ids",
        (0, 15, 0, 24),
    ),
    row("CJK before a term", PY, "# 中文self-atten‸tion", "self-attention", (0, 4, 0, 18)),
    row("CJK glued to a word", PY, "# 注意token‸s", "token", (0, 4, 0, 10)),
    row(
        "tabs in code", PY, "out = model(\tattention_‸mask\t=\tm)", "attention_mask", (0, 13, 0, 27)
    ),
    row(
        "tabs between words",
        PY,
        "#\tcausal\tlanguage\tmod‸eling",
        "causal-language-modeling",
        (0, 2, 0, 26),
    ),
    row("CRLF code", PY, "import torch\r\nmodel(input_‸ids=x)\r\n", "input_ids", (1, 6, 1, 15)),
    row(
        "CRLF comment lines",
        PY,
        "# causal language\r\n# model‸ing\r\n",
        "causal-language-modeling",
        (0, 2, 1, 10),
    ),
    row("CR only", PY, "x = 1\r# self-atten‸tion\r", "self-attention", (1, 2, 1, 16)),
    # --- argument names as plain variables: specific (snake-case) names answer, generic ones don't
    row("snake-case option as a variable", PY, "max_len‸gth = 128", "max_length", (0, 0, 0, 10)),
    row("learning_rate as a variable", PY, "learning_‸rate = 2e-5", "learning_rate", (0, 0, 0, 13)),
    row(
        "self attribute, snake-case",
        PY,
        "self.max_new_‸tokens = 10",
        "max_new_tokens",
        (0, 5, 0, 19),
    ),
    row("snake-case variable read", PY, "print(max_len‸gth)", "max_length", (0, 6, 0, 16)),
    row("generic variable mask", PY, "ma‸sk = x > 0", None),
    row("generic variable device", PY, "dev‸ice = 'cuda'", None),
    row("generic keyword of an unknown call", PY, "f(val‸ue=1)", None),
    row("function named like an option", PY, "def push_to_‸hub(self):", None),
    # --- false friends ------------------------------------------------------------------------
    row("torch.optim attribute", PY, "opt = torch.op‸tim.AdamW(params)", None),
    row("from torch.optim import", PY, "from torch.op‸tim import AdamW", None),
    row(
        "optim as a keyword",
        PY,
        "TrainingArguments('o', op‸tim='adamw_torch')",
        "optim",
        (0, 23, 0, 28),
    ),
    row("Hub token keyword of login", PY, "login(tok‸en='hf_x')", None),
    row("Transformers in a comment", PY, "# 🤗 Transform‸ers makes it easy", None),
    row("transformer in a comment", PY, "# a transform‸er encoder", "transformer", (0, 4, 0, 15)),
    row("HF token in a comment", PY, "# needs your HF tok‸en", None),
    row("attention heads in a comment", PY, "# 12 attention hea‸ds", None),
    row("num_heads as a variable", PY, "num_he‸ads = 8", None),
    row("optim module alias", PY, "import torch.optim as op‸tim", None),
    row(
        "Supervised Fine-Tuning",
        PY,
        "# Supervised Fine-Tun‸ing",
        "supervised-fine-tuning",
        (0, 2, 0, 24),
    ),
    row(
        "CRLF docstring",
        PY,
        '"""Masked\r\nlanguage model‸ing.\r\n"""\r\n',
        "masked-language-modeling",
        (0, 3, 1, 17),
    ),
]

MARKDOWN_CASES = [
    row(
        "prose phrase",
        MD,
        "We use causal lang‸uage modeling here.",
        "causal-language-modeling",
        (0, 7, 0, 31),
    ),
    row(
        "prose phrase, capitals",
        MD,
        "Causal Language Mod‸eling",
        "causal-language-modeling",
        (0, 0, 0, 24),
    ),
    row(
        "heading phrase",
        MD,
        "## Masked language mod‸eling",
        "masked-language-modeling",
        (0, 3, 0, 27),
    ),
    row("inline code argument", MD, "Pass `attention_‸mask` too.", "attention_mask", (0, 6, 0, 20)),
    row("inline code option", MD, "Set `padd‸ing` to true.", "padding", (0, 5, 0, 12)),
    row("inline code other", MD, "Call `tok‸enizer()` first.", None),
    row(
        "inline code call with kwarg",
        MD,
        "Call `model(input_‸ids=x)`.",
        "input_ids",
        (0, 12, 0, 21),
    ),
    row("argument name in prose", MD, "Pass token_type_‸ids too.", "token_type_ids", (0, 5, 0, 19)),
    row(
        "link text",
        MD,
        "See [attention ma‸sk](https://h.co/x#attention-mask).",
        "attention-mask",
        (0, 5, 0, 19),
    ),
    row("link target", MD, "See [here](https://h.co/x#attention_‸mask).", None),
    row("bare URL", MD, "See https://h.co/docs/input_‸ids now.", None),
    row(
        "phrase across a line break",
        MD,
        "We train with causal language\nmod‸eling and more.",
        "causal-language-modeling",
        (0, 14, 1, 8),
    ),
    row(
        "phrase across a line break, first line",
        MD,
        "We train with cau‸sal language\nmodeling and more.",
        "causal-language-modeling",
        (0, 14, 1, 8),
    ),
    row(
        "phrase across two line breaks",
        MD,
        "Use natural\nlanguage\nunder‸standing.",
        "natural-language-understanding",
        (0, 4, 2, 13),
    ),
    row("hyphen at a line break", MD, "A self-\natten‸tion layer.", "self-attention", (0, 2, 1, 9)),
    row("not across a blank line", MD, "We train with causal language\n\nmod‸eling.", None),
    row("not into a heading", MD, "We train with causal language\n# Mod‸eling", None),
    row("not out of a heading", MD, "# Causal language\nmod‸eling here.", None),
    row("not into a list item", MD, "Causal language\n- mod‸eling", None),
    row(
        "list item prose",
        MD,
        "- uses masked language model‸ing",
        "masked-language-modeling",
        (0, 7, 0, 31),
    ),
    row(
        "emphasis inside a phrase",
        MD,
        "Use *causal* language mod‸eling.",
        "causal-language-modeling",
        (0, 5, 0, 30),
    ),
    row(
        "underscore emphasis around a phrase",
        MD,
        "Use _causal language mod‸eling_.",
        "causal-language-modeling",
        (0, 5, 0, 29),
    ),
    row(
        "strong underscore emphasis in a phrase",
        MD,
        "Use __causal__ language mod‸eling.",
        "causal-language-modeling",
        (0, 6, 0, 32),
    ),
    row("ZeRO", MD, "ZeRO‸ shards optimizer states.", "zero-redundancy-optimizer", (0, 0, 0, 4)),
    row("zero is not ZeRO", MD, "A ze‸ro vector.", None),
    row("Zero at sentence start is not ZeRO", MD, "Ze‸ro padding.", None),
    row("TP", MD, "Use T‸P across GPUs.", "tensor-parallelism", (0, 4, 0, 6)),
    row("tp is not TP", MD, "Use t‸p across GPUs.", None),
    row("MLM", MD, "MLM‸ objectives.", "masked-language-modeling", (0, 0, 0, 3)),
    row("mlm is not MLM", MD, "ml‸m objectives.", None),
    row(
        "CTC",
        MD,
        "Trained with CT‸C loss.",
        "connectionist-temporal-classification",
        (0, 13, 0, 16),
    ),
    row("plural", MD, "Decoder mod‸els generate text.", "decoder-models", (0, 0, 0, 14)),
    row(
        "large language models",
        MD,
        "Large language mod‸els are big.",
        "large-language-models",
        (0, 0, 0, 21),
    ),
    row("self attention, space", MD, "Self atten‸tion is cheap.", "self-attention", (0, 0, 0, 14)),
    row("fine-tuned", MD, "A fine-tu‸ned BERT.", "finetuned-models", (0, 2, 0, 12)),
    row("pre-trained", MD, "A pre-tra‸ined BERT.", "pretrained-model", (0, 2, 0, 13)),
    row("modelling", MD, "Masked language model‸ling.", "masked-language-modeling", (0, 0, 0, 25)),
    row(
        "sequence to sequence",
        MD,
        "A sequence to seq‸uence model.",
        "sequence-to-sequence",
        (0, 2, 0, 22),
    ),
    row("segment IDs", MD, "Segment ‸IDs tell sentences apart.", "token-type-ids", (0, 0, 0, 11)),
    row("model head", MD, "The model he‸ad maps hidden states.", "head", (0, 4, 0, 14)),
    row("longest match", MD, "Pass decoder input ‸IDs.", "decoder-input-ids", (0, 5, 0, 22)),
    row(
        "phrase across blockquote lines",
        MD,
        "> We train with causal\n> language mode‸ling here.",
        "causal-language-modeling",
        (0, 16, 1, 19),
    ),
    row(
        "blockquote does not join the paragraph after it",
        MD,
        "> We train with causal\n\nlanguage mode‸ling here.",
        None,
    ),
    row(
        "tokenizer is the tokenizer, not token",
        MD,
        "The tokeni‸zer runs first.",
        "tokenizer-term",
        (0, 4, 0, 13),
    ),
    row("emoji before a term", MD, "\U0001f917 attention ma‸sk", "attention-mask", (0, 2, 0, 16)),
    row(
        "emoji and CJK before a term",
        MD,
        "\U0001f600 中文 self-atten‸tion",
        "self-attention",
        (0, 5, 0, 19),
    ),
    row("tabs", MD, "Use\tcausal\tlanguage\tmod‸eling.", "causal-language-modeling", (0, 4, 0, 28)),
    row(
        "CRLF across a line break",
        MD,
        "We use causal language\r\nmod‸eling.\r\n",
        "causal-language-modeling",
        (0, 7, 1, 8),
    ),
    row("CRLF blank line stops", MD, "causal language\r\n\r\nmod‸eling\r\n", None),
    # --- fences ---------------------------------------------------------------------------
    row(
        "python fence keyword",
        MD,
        "Text.\n\n```python\nmodel(attention_‸mask=m)\n```",
        "attention_mask",
        (3, 6, 3, 20),
    ),
    row("py fence keyword", MD, "```py\nmodel(input_‸ids=m)\n```", "input_ids", (1, 6, 1, 15)),
    row(
        "python fence comment phrase",
        MD,
        "```python\nx = 1  # decoder input ‸IDs\n```",
        "decoder-input-ids",
        (1, 9, 1, 26),
    ),
    row("python fence code word head", MD, "```python\nhe‸ad = model.head\n```", None),
    row("python fence option bare", MD, "```python\nif padd‸ing:\n    pass\n```", None),
    row(
        "python fence string key",
        MD,
        '```python\nbatch["input_‸ids"]\n```',
        "input_ids",
        (1, 7, 1, 16),
    ),
    row(
        "python fence docstring",
        MD,
        '```python\n"""Masked\nlanguage model‸ing."""\n```',
        "masked-language-modeling",
        (1, 3, 2, 17),
    ),
    row(
        "tilde python fence",
        MD,
        "~~~python\nmodel(attention_‸mask=m)\n~~~",
        "attention_mask",
        (1, 6, 1, 20),
    ),
    row("bash fence skipped", MD, "```bash\nattention_‸mask ZeRO\n```", None),
    row("bash fence prose skipped", MD, "```bash\n# causal language mod‸eling\n```", None),
    row("plain fence skipped", MD, "```\nmodel(attention_‸mask=m)\n```", None),
    row("tilde fence skipped", MD, "~~~\ncausal language mod‸eling\n~~~", None),
    row("fence mark line", MD, "```pyth‸on\nx\n```", None),
    row(
        "after a closed fence",
        MD,
        "```bash\nx\n```\ncausal language mod‸eling",
        "causal-language-modeling",
        (3, 0, 3, 24),
    ),
    row("shorter fence does not close", MD, "````\n```\ncausal language mod‸eling\n````", None),
    row("tilde does not close backticks", MD, "```\n~~~\ncausal language mod‸eling\n```", None),
    row("phrase does not join a fence", MD, "causal language\n```\nmod‸eling\n```", None),
    # --- false friends ---------------------------------------------------------------------
    row("the library", MD, "🤗 Transform‸ers provides models.", None),
    row("the library, mid-sentence", MD, "Load it with Transform‸ers.", None),
    row("the library, lower case", MD, "Install the transformers libr‸ary.", None),
    row("Hugging Face Transformers", MD, "Hugging Face Transform‸ers", None),
    row("the architecture", MD, "The Transform‸er architecture.", "transformer", (0, 4, 0, 15)),
    row(
        "vision transformers",
        MD,
        "Vision transform‸ers split images.",
        "transformer",
        (0, 0, 0, 19),
    ),
    row("transformers, the library, lower case", MD, "Use a transform‸ers version >= 4.42.", None),
    row("transformers in inline code", MD, "Run `transform‸ers serve`.", None),
    row(
        "API reference in inline code",
        MD,
        "See [`~transformers.PreTrainedModel.push_to_h‸ub`].",
        None,
    ),
    row("file name in inline code", MD, "Edit `generation_con‸fig.json`.", None),
    row("abbreviation as inline code", MD, "Use `NF‸4` here.", "nf4", (0, 5, 0, 8)),
    row(
        "argument as inline code",
        MD,
        "Set `generation_con‸fig`.",
        "generation_config",
        (0, 5, 0, 22),
    ),
    row("Transformer Engine", MD, "NVIDIA Transformer Eng‸ine.", None),
    row("Transformer of Transformer Engine", MD, "NVIDIA Transfor‸mer Engine.", None),
    row("access token", MD, "Create an access tok‸en.", None),
    row("HF token", MD, "Set your HF tok‸en.", None),
    row("Hugging Face token", MD, "Your Hugging Face tok‸en.", None),
    row("token, the unit", MD, "Each tok‸en gets an ID.", "token", (0, 5, 0, 10)),
    row("token keyword in inline code", MD, "Pass `tok‸en=...`.", None),
    row("torch.optim in inline code", MD, "Use `torch.op‸tim.AdamW`.", None),
    row("optim module in inline code", MD, "Use `op‸tim.SGD`.", None),
    row("optim option in inline code", MD, "Set `op‸tim`.", "optim", (0, 5, 0, 10)),
    row("push_to_hub method in inline code", MD, "Call `trainer.push_to_h‸ub()`.", None),
    row(
        "push_to_hub flag in inline code",
        MD,
        "Set `push_to_h‸ub=True`.",
        "push_to_hub",
        (0, 5, 0, 16),
    ),
    row("attention heads", MD, "It has 12 attention he‸ads.", None),
    row("multi-head attention", MD, "Multi-he‸ad attention.", None),
    row("model head", MD, "A classification he‸ad.", "head", (0, 17, 0, 21)),
    row(
        "Supervised Fine-Tuning",
        MD,
        "Supervised Fine-Tun‸ing (SFT).",
        "supervised-fine-tuning",
        (0, 0, 0, 22),
    ),
    row("SFT", MD, "Supervised Fine-Tuning (SF‸T).", "supervised-fine-tuning", (0, 24, 0, 27)),
    row("sft is not SFT", MD, "The sf‸t script.", None),
    row("fine-tuning alone", MD, "Fine-tun‸ing a model.", "finetuned-models", (0, 0, 0, 11)),
    row("MoE", MD, "A Mo‸E model.", "mixture-of-experts", (0, 2, 0, 5)),
    row("moe is not MoE", MD, "A mo‸e model.", None),
    row("DPO", MD, "Train with DP‸O.", "direct-preference-optimization", (0, 11, 0, 14)),
    row("chat template", MD, "Apply the chat templ‸ate.", "chat-template", (0, 10, 0, 23)),
]


def _found(text: str, language: str, line: int, index: int, vocab) -> Spot | None:
    return spot(analysis_of(make_doc(text, language)), vocab, line, index)


@pytest.mark.parametrize("language,marked,entry_id,span", PYTHON_CASES + MARKDOWN_CASES)
def test_spot(vocab, language, marked, entry_id, span):
    text, line, index = cursor_of(marked)
    found = _found(text, language, line, index, vocab)
    if entry_id is None:
        assert found is None, f"expected nothing, got {found.entry.id} at {_span(found)}"
        return
    assert found is not None, "expected a term"
    assert (found.entry.id, _span(found)) == (entry_id, span)


def _span(found: Spot) -> tuple[int, int, int, int]:
    return found.start_line, found.start, found.end_line, found.end


def test_spot_kinds(vocab):
    """`where` says how the term was read: as code, as a string key, or as prose."""
    doc = make_doc('model(input_ids=batch["attention_mask"])  # causal language modeling', PY)
    assert spot(analysis_of(doc), vocab, 0, 8).where == CODE
    assert spot(analysis_of(doc), vocab, 0, 25).where == STRING
    assert spot(analysis_of(doc), vocab, 0, 50).where == PROSE


def test_out_of_range_positions(vocab):
    doc = make_doc("model(input_ids=x)\n", PY)
    assert spot(analysis_of(doc), vocab, -1, 0) is None
    assert spot(analysis_of(doc), vocab, 5, 0) is None
    assert spot(analysis_of(doc), vocab, 0, -1) is None
    assert spot(analysis_of(doc), vocab, 0, 999) is None
    assert spot(analysis_of(doc), vocab, 1, 0) is None  # the empty last line


def test_other_languages_are_not_read(vocab):
    doc = Document("file:///tmp/notes.txt", "attention mask and input_ids", "plaintext")
    assert spot(analysis_of(doc), vocab, 0, 3) is None
    assert list(spot_all(analysis_of(doc), vocab)) == []


@pytest.mark.parametrize(
    "language_id,uri,expected",
    [
        ("python", "file:///a.txt", PY),
        ("markdown", "untitled:1", MD),
        ("", "file:///a/b.py", PY),
        ("", "file:///a/b.pyi", PY),
        ("", "file:///a/README.MD", MD),
        ("", "file:///a/b.markdown?x=1", MD),
        ("plaintext", "file:///a/b.txt", None),
        ("", "file:///a/b.rs", None),
    ],
)
def test_language_of(language_id, uri, expected):
    assert language_of(language_id, uri) == expected


# --- every glossary term is found in both file types -------------------------------------------


def _seed_rows():
    lines = (UPSTREAM / "seed_terms.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:] if line.strip()]


SEED = _seed_rows()


def _spellings(row_: dict) -> list[str]:
    found = [row_["term"]]
    found += [a.strip() for a in row_["aliases"].split(";") if a.strip()]
    found += [a.strip() for a in row_["abbreviation"].split(";") if a.strip()]
    return found


SEED_SPELLINGS = [
    pytest.param(r["anchor"], spelling, id=f"{r['term']}|{spelling}")
    for r in SEED
    for spelling in _spellings(r)
]


@pytest.mark.parametrize("anchor,spelling", SEED_SPELLINGS)
@pytest.mark.parametrize("language", [PY, MD])
def test_every_seed_spelling_is_found(vocab, language, anchor, spelling):
    prefix = "x = 1  # see " if language == PY else "See "
    text = f"{prefix}{spelling} here.\n"
    start = len(prefix)
    for index in (start, start + len(spelling) - 1):
        found = spot(analysis_of(make_doc(text, language)), vocab, 0, index)
        assert found is not None, f"{spelling!r} not found at {index}"
        assert found.entry.url.endswith(anchor), (found.entry.id, found.entry.url)
        assert _span(found) == (0, start, 0, start + len(spelling))


# --- spot_all (explain) ------------------------------------------------------------------------

EXPLAIN_PY = '''\
"""Fine-tune a model with masked
language modeling."""
enc = tokenizer(texts, padding=True, return_tensors="pt")
out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
head = token = 1  # the model head and each token
'''

EXPLAIN_MD = """\
# Causal language modeling

We use `attention_mask` and masked
language modeling; ZeRO, not zero.

```python
model(labels=y)  # decoder input IDs
```

```bash
input_ids self-attention
```
"""


def _listing(text: str, language: str, vocab) -> list[tuple[str, tuple[int, int, int, int]]]:
    return [(s.entry.id, _span(s)) for s in spot_all(analysis_of(make_doc(text, language)), vocab)]


def test_spot_all_python(vocab):
    assert _listing(EXPLAIN_PY, PY, vocab) == [
        ("finetuned-models", (0, 3, 0, 12)),
        ("masked-language-modeling", (0, 26, 1, 17)),
        ("padding", (2, 23, 2, 30)),
        ("return_tensors", (2, 37, 2, 51)),
        ("input_ids", (3, 12, 3, 21)),
        ("input_ids", (3, 27, 3, 36)),
        ("attention_mask", (3, 40, 3, 54)),
        ("attention_mask", (3, 60, 3, 74)),
        ("head", (4, 24, 4, 34)),
        ("token", (4, 44, 4, 49)),
    ]


def test_spot_all_markdown(vocab):
    assert _listing(EXPLAIN_MD, MD, vocab) == [
        ("causal-language-modeling", (0, 2, 0, 26)),
        ("attention_mask", (2, 8, 2, 22)),
        ("masked-language-modeling", (2, 28, 3, 17)),
        ("zero-redundancy-optimizer", (3, 19, 3, 23)),
        ("labels", (6, 6, 6, 12)),
        ("decoder-input-ids", (6, 19, 6, 36)),
    ]


@pytest.mark.parametrize(
    "text,language,expected",
    [
        pytest.param(
            "We pass masked\nlanguage modeling and `attention_mask`.\n",
            MD,
            [("masked-language-modeling", (0, 8, 1, 17)), ("attention_mask", (1, 23, 1, 37))],
            id=MD,
        ),
        pytest.param(
            '"""Uses masked\nlanguage modeling."""; model(input_ids=x)\n',
            PY,
            [("masked-language-modeling", (0, 8, 1, 17)), ("input_ids", (1, 29, 1, 38))],
            id=PY,
        ),
    ],
)
def test_spot_all_lists_in_document_order(vocab, text, language, expected):
    """A phrase that started on an earlier line is listed before code found on a later line."""
    assert _listing(text, language, vocab) == expected


@pytest.mark.parametrize("text,language", [(EXPLAIN_PY, PY), (EXPLAIN_MD, MD)], ids=[PY, MD])
def test_spot_all_agrees_with_spot(vocab, text, language):
    """Every listed term is what a hover at each of its characters finds."""
    doc = make_doc(text, language)
    listed = list(spot_all(analysis_of(doc), vocab))
    assert listed == sorted(listed, key=_span), "spot_all must list terms in document order"
    for found in listed:
        for line in range(found.start_line, found.end_line + 1):
            first = found.start if line == found.start_line else 0
            last = found.end if line == found.end_line else len(doc.line(line))
            for index in range(first, last):
                if doc.line(line)[index] in " \t#-*":
                    continue  # between the words of a phrase
                again = spot(analysis_of(doc), vocab, line, index)
                assert again is not None and _span(again) == _span(found), (line, index)
                assert again.entry.id == found.entry.id


# --- documents edited, then spotted again: memoised per-block state must follow the edit --------


def _big_python(lines: int) -> str:
    body = []
    for n in range(lines):
        if n % 7 == 0:
            body.append(f"x{n} = model(input_ids=ids)  # causal language modeling")
        elif n % 7 == 3:
            body.append(f's{n} = "masked language modeling"')
        else:
            body.append(f"y{n} = {n}")
    return "\n".join(body) + "\n"


def _where(doc, vocab, line, index):
    found = spot(analysis_of(doc), vocab, line, index)
    return None if found is None else (found.entry.id, found.where)


@pytest.mark.parametrize("size", [20, BLOCK_LINES * 3 + 40], ids=["small", "over-3-blocks"])
def test_triple_quote_inserted_and_removed(vocab, size):
    doc = make_doc(_big_python(size), PY)
    last_code = max(n for n in range(size) if n % 7 == 0)
    last_string = max(n for n in range(size) if n % 7 == 3)
    code_index = doc.line(last_code).index("input_ids") + 2
    string_index = doc.line(last_string).index("masked") + 2

    def state():
        return _where(doc, vocab, last_code, code_index), _where(
            doc, vocab, last_string, string_index
        )

    code_state = (("input_ids", CODE), None)
    assert state() == code_state  # also fills every block's memo

    doc.replace(0, 0, 0, 0, '"""\n')  # everything below is now one open docstring
    last_code, last_string = last_code + 1, last_string + 1
    assert state() == (("input_ids", PROSE), ("masked-language-modeling", PROSE))

    doc.replace(0, 0, 1, 0, "")  # removed again
    last_code, last_string = last_code - 1, last_string - 1
    assert state() == code_state
    assert doc.text == make_doc(_big_python(size), PY).text


@pytest.mark.parametrize("size", [30, BLOCK_LINES * 3 + 40], ids=["small", "over-3-blocks"])
def test_triple_quote_opened_mid_document_and_closed_further_down(vocab, size):
    doc = make_doc(_big_python(size), PY)
    target = max(n for n in range(size) if n % 7 == 0)
    index = doc.line(target).index("input_ids") + 1
    assert _where(doc, vocab, target, index) == ("input_ids", CODE)

    middle = size // 3
    doc.replace(middle, 0, middle, 0, "'''")  # opens a docstring in a middle block
    assert _where(doc, vocab, target, index) == ("input_ids", PROSE)

    closing = target - 2
    doc.replace(closing, 0, closing, 0, "'''")  # closes it two lines above the target
    assert _where(doc, vocab, target, index) == ("input_ids", CODE)
    assert _where(doc, vocab, target - 1, 0) is None  # a code line between

    doc.replace(middle, 0, middle, 3, "")  # the opener goes: the closer now opens one
    assert _where(doc, vocab, target, index) == ("input_ids", PROSE)


def _big_markdown(lines: int) -> str:
    body = []
    for n in range(lines):
        body.append("We use causal language modeling here." if n % 5 == 0 else "")
    return "\n".join(body)


@pytest.mark.parametrize("size", [20, BLOCK_LINES * 3 + 40], ids=["small", "over-3-blocks"])
def test_fence_opened_and_closed(vocab, size):
    doc = make_doc(_big_markdown(size), MD)
    target = max(n for n in range(size) if n % 5 == 0)
    assert _where(doc, vocab, target, 10) == ("causal-language-modeling", PROSE)

    doc.replace(1, 0, 1, 0, "```bash")  # an unclosed fence swallows the rest
    assert _where(doc, vocab, target, 10) is None

    doc.replace(target - 1, 0, target - 1, 0, "```")  # closed just above the target
    assert _where(doc, vocab, target, 10) == ("causal-language-modeling", PROSE)

    doc.replace(target - 1, 0, target - 1, 3, "")  # the closer goes again
    assert _where(doc, vocab, target, 10) is None

    doc.replace(1, 0, 1, 7, "")  # and the opener: prose again everywhere
    assert _where(doc, vocab, target, 10) == ("causal-language-modeling", PROSE)


def test_python_fence_docstring_state_follows_edits(vocab):
    """A triple quote inside a python fence changes that fence only; the fence's end resets it."""
    lines = ["```python", "x = 1", "model(input_ids=a)", "```", "", "causal language modeling"]
    lines += [""] * (BLOCK_LINES * 3)
    lines += ["```python", "model(attention_mask=m)", "```"]
    doc = make_doc("\n".join(lines), MD)
    last = len(lines) - 2
    assert _where(doc, vocab, 2, 8) == ("input_ids", CODE)
    assert _where(doc, vocab, last, 8) == ("attention_mask", CODE)

    doc.replace(1, 0, 1, 0, '"""')  # opens a docstring inside the first fence
    assert _where(doc, vocab, 2, 8) == ("input_ids", PROSE)
    assert _where(doc, vocab, 5, 3) == ("causal-language-modeling", PROSE)
    assert _where(doc, vocab, last, 8) == ("attention_mask", CODE)


def test_block_split_by_a_large_insert_keeps_state(vocab):
    doc = make_doc(_big_python(BLOCK_LINES + 10), PY)
    target = max(n for n in range(BLOCK_LINES + 10) if n % 7 == 0)
    index = doc.line(target).index("input_ids") + 1
    assert _where(doc, vocab, target, index) == ("input_ids", CODE)
    insert = "\n".join(["'''"] + ["filler"] * (BLOCK_LINES * 2) + ["'''", ""])
    doc.replace(3, 0, 3, 0, insert)
    target += BLOCK_LINES * 2 + 2
    assert doc.line(target).startswith(f"x{target - BLOCK_LINES * 2 - 2} =")
    assert _where(doc, vocab, target, index) == ("input_ids", CODE)
    doc.replace(3, 0, 3, 0, "'''\n")  # now unbalanced: the rest is a docstring
    assert _where(doc, vocab, target + 1, index) == ("input_ids", PROSE)


def test_replace_all_resets_state(vocab):
    size = BLOCK_LINES * 3
    line = max(n for n in range(size) if n % 7 == 0)
    doc = make_doc('"""\n' + _big_python(size), PY)
    index = doc.line(line + 1).index("input_ids")
    assert _where(doc, vocab, line + 1, index) == ("input_ids", PROSE)
    doc.replace_all(_big_python(size))
    assert _where(doc, vocab, line, index) == ("input_ids", CODE)


# --- property: an edited document spots exactly like a fresh one with the same text ------------

LINE_POOL = {
    PY: [
        '"""',
        "'''",
        'x = """one-liner"""',
        "model(input_ids=a, attention_mask=m)",
        "# causal language",
        "# modeling",
        "    masked language modeling",
        's = "labels"',
        "head = token = 1",
        "def f():",
        "    '''Doc of a decoder",
        "input IDs'''",
        "",
    ],
    MD: [
        "```python",
        "```",
        "~~~",
        "~~~bash",
        "````",
        "model(attention_mask=m)  # causal",
        "causal language",
        "modeling and `input_ids`",
        "# Heading about ZeRO",
        '"""',
        "",
        "- a list item on self-attention",
        "plain prose with decoder input IDs",
    ],
}


@st.composite
def _edits(draw, language):
    pool = LINE_POOL[language]
    lines = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=40))
    edits = []
    for _ in range(draw(st.integers(1, 8))):
        start_line = draw(st.integers(0, len(lines) + 2))
        end_line = draw(st.integers(start_line, start_line + draw(st.integers(0, 12))))
        start = draw(st.integers(0, 12))
        end = draw(st.integers(0, 12))
        pieces = draw(st.lists(st.sampled_from(pool + ["", " ", "causal "]), max_size=6))
        edits.append((start_line, start, end_line, end, "\n".join(pieces)))
    return "\n".join(lines), edits


def _all(doc, vocab):
    return [(s.entry.id, _span(s), s.where) for s in spot_all(analysis_of(doc), vocab)]


@pytest.mark.parametrize("language", [PY, MD])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edited_document_spots_like_a_fresh_one(vocab, language, data):
    text, edits = data.draw(_edits(language))
    with patch.object(documents, "BLOCK_LINES", 3):  # many small blocks: edits cross them
        doc = make_doc(text, language)
        _all(doc, vocab)  # fill the memo of every block
        for start_line, start, end_line, end, new_text in edits:
            doc.replace(start_line, start, end_line, end, new_text)
            fresh = make_doc(doc.text, language)
            assert _all(doc, vocab) == _all(fresh, vocab)
            probe = data.draw(st.integers(0, doc.line_count - 1))
            for index in range(0, len(doc.line(probe)) + 1, 3):
                a, b = (
                    spot(analysis_of(doc), vocab, probe, index),
                    spot(analysis_of(fresh), vocab, probe, index),
                )
                assert (a and (a.entry.id, _span(a))) == (b and (b.entry.id, _span(b)))
