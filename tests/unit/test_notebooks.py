"""Reading `.ipynb` text (cells, where each source string lies, outputs never decoded) and the
cell order a notebook keeps for its code cells' variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers_glossary_ls.notebooks import Notebook, NotebookError, read_ipynb

REAL = Path(__file__).parents[1] / "fixtures" / "upstream" / "notebooks" / "push_to_hub_pt.ipynb"


def test_real_notebook_cells_match_json():
    text = REAL.read_text(encoding="utf-8")
    expected = json.loads(text)["cells"]
    notebook = read_ipynb(text)
    assert notebook.language == "python"
    assert [c.kind for c in notebook.cells] == [c["cell_type"] for c in expected]
    assert [c.text for c in notebook.cells] == ["".join(c["source"]) for c in expected]
    for cell in notebook.cells:
        for piece in cell.pieces:
            assert json.loads(text[piece.start : piece.end]) == piece.text


def test_raw_span_counts_escapes_and_surrogate_pairs():
    source = r"x = \"\u00e9\ud83e\udd17\t\"\" ; no_cuda = 1"  # as the file holds it
    text = '{"cells": [{"cell_type": "code", "source": "' + source + '"}]}'
    notebook = read_ipynb(text)
    cell = notebook.cells[0]
    at = cell.text.index("no_cuda")
    start, end = notebook.raw_span(cell, 0, at, at + len("no_cuda"))
    assert text[start:end] == "no_cuda"
    edited = notebook.with_edits([(start, end, 'use_"cpu')])
    assert json.loads(edited)["cells"][0]["source"] == cell.text.replace("no_cuda", 'use_"cpu')


def test_raw_span_refuses_text_over_two_strings():
    text = json.dumps({"cells": [{"cell_type": "code", "source": ["no_cu", "da = 1"]}]})
    notebook = read_ipynb(text)
    assert notebook.raw_span(notebook.cells[0], 0, 0, 7) is None
    assert notebook.raw_span(notebook.cells[0], 0, 5, 7) is not None


def test_outputs_are_skipped_and_language_read():
    text = json.dumps(
        {
            "cells": [
                {"cell_type": "code", "outputs": [{"text": ["\\" * 3 + '"]']}], "source": []}
            ],
            "metadata": {"kernelspec": {"name": "ir"}, "language_info": {"name": "R"}},
        }
    )
    notebook = read_ipynb(text)
    assert notebook.language == "r" and notebook.cells[0].text == ""


@pytest.mark.parametrize(
    "text", ["", "{", "[]", '{"cells": 3}', '{"cells": []} x', '{"cells": [{"source": [null]}]}']
)
def test_not_notebooks(text):
    with pytest.raises(NotebookError):
        read_ipynb(text)


def test_code_cells_look_back_in_cell_order():
    notebook = Notebook("file:///nb.ipynb")
    notebook.order = ["a", "m", "b", "c"]
    first = notebook.open_cell(
        "a", "lm = AutoModelForCausalLM.from_pretrained('x')", False, "python"
    )
    notebook.open_cell("m", "lm = AutoTokenizer.from_pretrained('x')", True, "markdown")
    notebook.open_cell("b", "lm = AutoTokenizer.from_pretrained('x')", False, "r")
    last = notebook.open_cell("c", "lm(input_ids=x)", False, "python")
    assert [a.doc.uri for a in notebook.earlier("c", "lm")] == ["a"]  # Markdown, R cells skipped
    assert list(notebook.earlier("c", "other")) == []
    assert last.held("lm", 0).cls == "AutoModelForCausalLM"
    assert notebook.splice(0, 1, [])  # the first cell removed
    assert last.held("lm", 0) is None
    assert not notebook.splice(9, 0, ["z"]) and not notebook.splice(0, -1, [])
    assert notebook.order == ["m", "b", "c"]
    assert notebook.from_cell("m") == ["c"]
    # An edit that binds the name anew is seen at once (the index is made again).
    notebook.splice(0, 0, ["a"])
    assert last.held("lm", 0).cls == "AutoModelForCausalLM"
    first.doc.replace_all("lm = AutoTokenizer.from_pretrained('x')")
    assert last.held("lm", 0).kind == "tokenizer"
    first.doc.replace_all("x = 1")
    assert last.held("lm", 0) is None


def test_a_class_defined_in_an_earlier_cell_is_the_notebooks_own():
    notebook = Notebook("file:///nb.ipynb")
    notebook.order = ["a", "b"]
    first = notebook.open_cell("a", "class SFTConfig:\n    pass\n", False, "python")
    last = notebook.open_cell("b", "cfg = SFTConfig(fooo=1)\n", False, "python")
    (call,) = last.calls()
    assert call.own and call.kind is None
    # The cell above edited to import trl's class: the call is trl's again.
    first.doc.replace_all("from trl import SFTConfig\n")
    (call,) = last.calls()
    assert not call.own
