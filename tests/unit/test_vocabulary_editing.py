"""A vocabulary file being edited, at the engine level: defects of this file only, the entry at
a line, the ids and keys completion offers, the id under the cursor on a reference line."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.vocabulary.editing import (
    KEYS,
    check_text,
    completions,
    reference_at,
)
from transformers_glossary_ls.vocabulary.loader import data_files, default_data_dir

TEXT = """\
entries:
  - id: golden-set
    term: golden set
    kind: concept
    summary: s
    definition: d
    see_also: [attention-mask, nothing-here]
    url: https://example.org
  - overrides: attention_mask
    summary: Ours.
"""


def test_check_text_reports_this_file_over_the_built_in_layer(tmp_path):
    path = str(tmp_path / ".transformers-glossary.yaml")
    checked = check_text(path, TEXT, data_files(default_data_dir()), "team.yaml")
    assert [(e.line, e.message) for e in checked.errors] == [
        (2, "item 2 of see_also names no entry")
    ]
    assert [(line, e.id) for line, e in checked.entries] == [
        (1, "golden-set"),
        (8, "attention_mask"),
    ]
    assert checked.entry_at(0) is None
    assert checked.entry_at(5).id == "golden-set"
    assert checked.entry_at(9).summary == "Ours."
    assert checked.entry_at(9).origin == "team.yaml:9"


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("    see_also: [gol", (15, ["golden-set"], False)),
        ("    concept: ", (13, ["golden-set", "holdout"], False)),
        ("    extends: h", (13, ["holdout"], False)),
        ("    ur", (4, ["url"], True)),
        ("  - ", (4, list(KEYS), True)),
        ("entries:", None),
        ("    summary: some text", None),
    ],
)
def test_completions(before, expected):
    assert completions(before, ["golden-set", "holdout"], ["entries:", "  - id: x"]) == expected


@pytest.mark.parametrize(
    ("line", "index", "expected"),
    [
        ("    see_also: [attention-mask, padding]", 20, "attention-mask"),
        ("    see_also: [attention-mask, padding]", 33, "padding"),
        ("    concept: attention-mask", 16, "attention-mask"),
        ("    see_also: [attention-mask]", 6, None),  # the key itself
        ("    summary: attention-mask", 16, None),  # not a reference
    ],
)
def test_reference_at(line, index, expected):
    assert reference_at(line, index) == expected


def test_keys_start_with_the_required_ones():
    assert KEYS[:6] == ("id", "term", "kind", "summary", "definition", "url")
    assert {"overrides", "extends", "see_also", "variants"} <= set(KEYS)
    assert not any(k.startswith("_") for k in KEYS)
