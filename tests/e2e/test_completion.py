"""Completion over stdio: open -> type -> complete -> resolve -> close, one row a case."""

from __future__ import annotations

import pytest
from lsprotocol import types
from transformers_glossary_ls.completion import MAX_ITEMS

from tests.e2e.conftest import close_document, open_document

HEADER = """\
from transformers import AutoModelForSequenceClassification, AutoTokenizer, TrainingArguments
tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased", num_labels=2)
"""

# (id, typed line, expected labels (in order, as a prefix of the list), unexpected labels)
CASES = [
    (
        "model call after one argument",
        "outputs = model(input_ids=x, ",
        ["attention_mask="],
        ["input_ids=", "padding="],
    ),
    # Ranked by how often user code passes each name; `text` was passed by position.
    (
        "tokenizer call",
        "batch = tokenizer(texts, ",
        ["truncation=", "return_tensors="],
        ["labels=", "attention_mask=", "text="],
    ),
    ("generate", "out = model.generate(input_ids, max_new", ["max_new_tokens="], ["labels="]),
    (
        "TrainingArguments",
        'args = TrainingArguments(output_dir="o", learn',
        ["learning_rate="],
        ["output_dir="],
    ),
    ("fuzzy attn", "outputs = model(attn", ["attention_mask="], []),
    ("fuzzy tokn_type", "outputs = model(tokn_type", ["token_type_ids="], []),
    ("subscript key", 'mask = batch["', ["input_ids", "attention_mask"], ["padding"]),
    ("return_tensors value", 'enc = tokenizer(texts, return_tensors="', ["pt", "np"], []),
    ("padding value", "enc = tokenizer(texts, padding=", ["True", "False", '"longest"'], []),
    (
        "attn_implementation value",
        'm = AutoModelForSequenceClassification.from_pretrained("x", attn_implementation="',
        ["eager", "sdpa"],
        [],
    ),
    ("comment term", "# masked lang", ["masked language modeling"], []),
    ("no junk for unknown call", "print(", [], ["attention_mask="]),
    ("string inside a call is not a key", 'print("attention', [], ["attention_mask"]),
]


async def complete(client, uri, line, character):
    return await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


@pytest.mark.parametrize(
    "typed,expected,unexpected", [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
async def test_completion(client, typed, expected, unexpected):
    uri = open_document(client, HEADER + typed + "\n")
    try:
        result = await complete(client, uri, 3, len(typed))
    finally:
        close_document(client, uri)
    assert result is not None
    # A list cut at the server's limit says so, so that the client asks again as more is typed.
    assert result.is_incomplete is (len(result.items) >= MAX_ITEMS)
    labels = [item.label for item in result.items]
    assert labels[: len(expected)] == expected or all(e in labels[:10] for e in expected), labels[
        :10
    ]
    for label in unexpected:
        assert label not in labels


async def test_attention_mask_item_has_shape_and_documentation(client):
    typed = "outputs = model(input_ids=x, "
    uri = open_document(client, HEADER + typed + "\n")
    result = await complete(client, uri, 3, len(typed))
    item = next(i for i in result.items if i.label == "attention_mask=")
    shown = (item.label_details.description if item.label_details else "") + (item.detail or "")
    item.insert_text_format = types.InsertTextFormat.PlainText  # VS Code sends the item back so
    assert "(batch_size, sequence_length)" in shown
    assert item.text_edit.new_text == "attention_mask="
    if item.documentation is None:  # the client resolves lazily
        item = await client.completion_item_resolve_async(item)
    close_document(client, uri)
    assert "(batch_size, sequence_length)" in item.documentation.value


async def test_labels_documents_the_head_being_called(client):
    typed = "out = model(input_ids=x, lab"
    uri = open_document(client, HEADER + typed + "\n")
    result = await complete(client, uri, 3, len(typed))
    item = next(i for i in result.items if i.label == "labels=")
    if item.documentation is None:
        item = await client.completion_item_resolve_async(item)
    close_document(client, uri)
    docs = item.documentation.value
    assert "AutoModelForSequenceClassification" in docs
    assert docs.index("(batch_size,)") < docs.index("Other model heads")


async def test_key_completion_closes_the_quote(client):
    typed = 'mask = batch["att'
    uri = open_document(client, HEADER + typed + "\n")
    result = await complete(client, uri, 3, len(typed))
    close_document(client, uri)
    item = next(i for i in result.items if i.label == "attention_mask")
    assert item.text_edit.new_text == 'attention_mask"'
    edit = item.text_edit.range
    assert (edit.start.character, edit.end.character) == (len('mask = batch["'), len(typed))


async def test_resolve_with_garbage_data_returns_the_item(client):
    item = types.CompletionItem(label="x", data={"id": 42})
    resolved = await client.completion_item_resolve_async(item)
    assert resolved.label == "x" and resolved.documentation is None
