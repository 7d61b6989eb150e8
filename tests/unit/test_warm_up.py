"""Warm-up indexes every block ahead of hovers, and survives edits made while it runs."""

from __future__ import annotations

from transformers_glossary_ls.documents import BLOCK_LINES, Document
from transformers_glossary_ls.engine import Glossary

CHUNK = 'x = model(attention_mask=m)\n"""causal language modeling"""\n'


def test_warm_up_fills_every_block_memo():
    doc = Document("file:///w.py", CHUNK * (BLOCK_LINES * 3), "python")
    steps = list(Glossary().warm_up(doc))
    assert len(steps) == len(doc.blocks) >= 6
    for block in doc.blocks:
        assert "assignments" in block.memo
        assert any(isinstance(key, tuple) and key[0] == "python" for key in block.memo)


def test_warm_up_keeps_going_through_edits():
    glossary = Glossary()
    doc = Document("file:///w.md", "self-attention\n\n" * (BLOCK_LINES * 2), "markdown")
    steps = glossary.warm_up(doc)
    next(steps)
    assert glossary.hover(doc, 2000, 3) is not None  # prose: the glossary term
    doc.replace(0, 0, 0, 0, "```text\n")  # a fence opened at the top while warming
    for _ in steps:
        pass
    assert glossary.hover(doc, 2001, 3) is None  # the same line is inside the fence now
    doc.replace(0, 0, 1, 0, "")
    assert glossary.hover(doc, 2000, 3) is not None


def test_warm_up_skips_languages_we_do_not_read():
    assert list(Glossary().warm_up(Document("file:///w.txt", "padding", "plaintext"))) == []
