"""Completion lists are written with each item's JSON kept (render.CompletionJson): the text is
what `json.dumps` writes of the list built as dicts, for every client, the first time and when
the items' JSON is reused at another position."""

from __future__ import annotations

import dataclasses
import json

import pytest
from transformers_glossary_ls import render
from transformers_glossary_ls.capabilities import Client
from transformers_glossary_ls.completion import Completion
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.positions import UTF8

TEXT = """\
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments

model = AutoModelForCausalLM.from_pretrained("gpt2")
tokenizer = AutoTokenizer.from_pretrained("gpt2")
enc = tokenizer(text, return_tensors="pt", padding=True)
out = model(input_ids=enc["input_ids"], )
out = model(enc["input_ids"], atte)
    x = model(input_ids=x, attention_mask=m, )  # 🤗 𝒳 before the cursor
args = TrainingArguments(output_dir="out", )
args = TrainingArguments(
    learning_rate=1e-4,
    lr
)
batch["
text = model.generate(input_ids, max_new)
"""
# (line, column as a string index) where an editor asks for completion
POSITIONS = [(5, 40), (6, 34), (7, 44), (8, 43), (11, 6), (13, 7), (14, 40), (14, 33)]
CLIENTS = {
    "defaults": Client(),
    "vscode": Client(label_details=True, resolve_documentation=True, deprecated_tag=True),
    "plain-utf8": Client(encoding=UTF8, completion_markdown=False),
}


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    glossary = Glossary()
    glossary.load()
    return glossary


@pytest.mark.parametrize("name", list(CLIENTS))
def test_the_json_written_is_that_of_the_list(glossary, name):
    client = CLIENTS[name]
    analysis = Glossary.open("file:///c.py", TEXT, "python")
    written = render.CompletionJson(client)
    answered = 0
    for _ in range(2):  # the second time, every item's JSON is reused
        for line, index in POSITIONS:
            result = glossary.complete(analysis, line, index)
            answered += bool(result and result.candidates)

            def docs(candidate):
                return glossary.candidate_documentation(candidate, client.completion_markdown)

            listed = render.completion_list(result, analysis.doc, line, client, docs)
            text = written.write(result, analysis.doc, line, docs).text
            assert text == json.dumps(listed), (line, index)
    assert answered >= 2 * (len(POSITIONS) - 1)
    assert len(written._items) > 0


def test_the_same_items_elsewhere_take_that_edit_range(glossary):
    client = CLIENTS["vscode"]
    analysis = Glossary.open("file:///c.py", TEXT, "python")
    written = render.CompletionJson(client)
    result = glossary.complete(analysis, 5, 40)
    assert result is not None and result.candidates
    first = json.loads(written.write(result, analysis.doc, 5, lambda c: None).text)
    moved = dataclasses.replace(result, start=result.start - 2)
    second = json.loads(written.write(moved, analysis.doc, 5, lambda c: None).text)
    assert [i["label"] for i in first["items"]] == [i["label"] for i in second["items"]]
    ranges = {json.dumps(i["textEdit"]["range"]) for i in second["items"]}
    assert len(ranges) == 1
    assert second["items"][0]["textEdit"]["range"]["start"]["character"] == 38


def test_an_item_holding_the_mark_is_written_whole(glossary):
    client = CLIENTS["defaults"]
    analysis = Glossary.open("file:///c.py", TEXT, "python")
    result = glossary.complete(analysis, 5, 40)
    assert result is not None
    odd = dataclasses.replace(result.candidates[0], label="\0range\0")
    listed = Completion(result.start, result.end, [odd])
    written = render.CompletionJson(client)
    text = written.write(listed, analysis.doc, 5, lambda c: None).text
    assert text == json.dumps(
        render.completion_list(listed, analysis.doc, 5, client, lambda c: None)
    )
    assert len(written._items) == 0  # not kept


def test_nothing_to_offer():
    written = render.CompletionJson(Client())
    assert json.loads(written.write(None, None, 0, lambda c: None).text) == {
        "isIncomplete": False,
        "items": [],
    }
