"""Warm-up indexes every block ahead of hovers, and survives edits made while it runs."""

from __future__ import annotations

from transformers_glossary_ls.analysis import Analysis, calls
from transformers_glossary_ls.documents import BLOCK_LINES, Document
from transformers_glossary_ls.engine import Glossary

CHUNK = 'x = model(attention_mask=m)\n"""causal language modeling"""\n'


def test_warm_up_indexes_every_block():
    analysis = Analysis(Document("file:///w.py", CHUNK * (BLOCK_LINES * 3), "python"))
    steps = list(analysis.warm_up())
    doc = analysis.doc
    assert len(doc.blocks) >= 6 and len(steps) >= 2 * len(doc.blocks)  # small steps
    revisions = {block.revision for block in doc.blocks}
    assert revisions <= {revision for revision, _ in analysis._calls}  # calls indexed
    chunk = calls.CHUNK_LINES
    assert len(analysis._calls) == sum(-(-len(b.lines) // chunk) for b in doc.blocks)
    assert revisions <= set(analysis.python_states.runs)  # line states known
    assert len(analysis.python_states.entries) == len(doc.blocks)


def test_warm_up_keeps_going_through_edits():
    glossary = Glossary()
    analysis = Analysis(
        Document("file:///w.md", "self-attention\n\n" * (BLOCK_LINES * 2), "markdown")
    )
    doc = analysis.doc
    steps = analysis.warm_up()
    next(steps)
    assert glossary.hover(analysis, 2000, 3) is not None  # prose: the glossary term
    doc.replace(0, 0, 0, 0, "```text\n")  # a fence opened at the top while warming
    for _ in steps:
        pass
    assert glossary.hover(analysis, 2001, 3) is None  # the same line is inside the fence now
    doc.replace(0, 0, 1, 0, "")
    assert glossary.hover(analysis, 2000, 3) is not None


def test_warm_up_skips_languages_we_do_not_read():
    assert list(Analysis(Document("file:///w.txt", "padding", "plaintext")).warm_up()) == []
