"""Hover over stdio: the right entry, the exact range, markdown or plain text."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import close_document, hover, open_document

PY = """\
from transformers import AutoTokenizer

batch = tokenizer(texts, padding=True, return_tensors="pt")
outputs = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"])
# causal language modeling needs no token_type_ids
mask = outputs.attention_mask
head = token = 1
"""

MD = """\
# Notes

We train with causal language
modeling and pass `attention_mask`. ZeRO shards; zero does not.

```python
model(decoder_input_ids=x)  # decoder input IDs
```

```text
attention_mask in a text fence
```
"""

# False friends (issue 15); columns are UTF-16, the emoji takes two.
FRIENDS = """\
🤗 Transformers wraps the transformer architecture.
Log in with your HF token; each token is a unit of text.
Train with Supervised Fine-Tuning (SFT), then DPO.
"""

# (id, source, line, character, expected term or None, expected (l0, c0, l1, c1) or None)
CASES = [
    ("kwarg", PY, 3, 20, "input_ids", (3, 16, 3, 25)),
    ("subscript key", PY, 3, 40, "input_ids", (3, 33, 3, 42)),
    ("kwarg attention_mask", PY, 3, 50, "attention_mask", (3, 46, 3, 60)),
    ("option as keyword", PY, 2, 27, "padding", (2, 25, 2, 32)),
    ("comment phrase", PY, 4, 10, "causal language modeling", (4, 2, 4, 26)),
    ("identifier in comment", PY, 4, 45, "token_type_ids", (4, 36, 4, 50)),
    ("attribute", PY, 5, 20, "attention_mask", (5, 15, 5, 29)),
    ("code word head is not the term", PY, 6, 1, None, None),
    ("code word token is not the term", PY, 6, 8, None, None),
    ("md phrase across a line break", MD, 3, 3, "causal language modeling", (2, 14, 3, 8)),
    ("md inline code", MD, 3, 25, "attention_mask", (3, 19, 3, 33)),
    ("md abbreviation", MD, 3, 37, "Zero Redundancy Optimizer", (3, 36, 3, 40)),
    ("md lower-case zero is not ZeRO", MD, 3, 50, None, None),
    ("md python fence code", MD, 6, 10, "decoder_input_ids", (6, 6, 6, 23)),
    ("md python fence comment", MD, 6, 40, "decoder input IDs", (6, 30, 6, 47)),
    ("md text fence skipped", MD, 10, 3, None, None),
    ("md heading word nothing", MD, 0, 3, None, None),
    ("md the library is not the architecture", FRIENDS, 0, 6, None, None),
    ("md the architecture", FRIENDS, 0, 30, "transformer", (0, 26, 0, 37)),
    ("md an HF token is the credential", FRIENDS, 1, 22, None, None),
    ("md a token, the text unit", FRIENDS, 1, 34, "token", (1, 32, 1, 37)),
    ("md Supervised Fine-Tuning", FRIENDS, 2, 25, "supervised fine-tuning", (2, 11, 2, 33)),
    ("md SFT", FRIENDS, 2, 36, "supervised fine-tuning", (2, 35, 2, 38)),
    ("md DPO", FRIENDS, 2, 47, "direct preference optimization", (2, 46, 2, 49)),
]


@pytest.mark.parametrize(
    "source,line,character,term,expected_range",
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
async def test_hover(client, source, line, character, term, expected_range):
    suffix = ".py" if source is PY else ".md"
    uri = open_document(client, source, suffix)
    try:
        result = await hover(client, uri, line, character)
    finally:
        close_document(client, uri)
    if term is None:
        assert result is None
        return
    assert result is not None, f"no hover at {line}:{character}"
    assert term in result.contents.value
    r = result.range
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == expected_range


async def test_hover_markdown_has_shape_and_link(client):
    uri = open_document(client, "model(attention_mask=m)\n")
    result = await hover(client, uri, 0, 8)
    close_document(client, uri)
    text = result.contents.value
    assert "(batch_size, sequence_length)" in text
    assert "https://huggingface.co/docs/transformers/" in text


async def test_unknown_document_gives_none(client):
    assert await hover(client, "file:///never/opened.py", 0, 0) is None


async def test_labels_hover_shows_the_called_head_first(client):
    source = (
        "model = AutoModelForTokenClassification.from_pretrained('x')\n"
        "out = model(input_ids=ids, labels=tags)\n"
    )
    uri = open_document(client, source)
    result = await hover(client, uri, 1, 30)
    close_document(client, uri)
    text = result.contents.value
    assert "AutoModelForTokenClassification" in text
    assert text.index("(batch_size, sequence_length)") < text.index("Other model heads")
