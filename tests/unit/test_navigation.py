"""The engine's navigation: which spotted terms lead to their entry, and which entries are
workspace symbols, by default and with `navigation.arguments`."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.vocabulary.loader import default_data_dir

TEAM = """\
entries:
  - id: our_mask
    term: our_mask
    kind: argument
    summary: The mask our collator builds.
    definition: Built by the collator.
    url: https://example.org/our_mask
"""
CODE = """\
# causal language modeling
out = model(input_ids=ids, our_mask=m, attention_mask=m, cu_seq_lens_q=q)
"""


@pytest.fixture(scope="module")
def glossary(tmp_path_factory) -> Glossary:
    path = tmp_path_factory.mktemp("team") / "team.yaml"
    path.write_text(TEAM, encoding="utf-8")
    return Glossary((str(path),), labels={str(path): "team.yaml"})


@pytest.mark.parametrize(
    ("needle", "arguments", "expected"),
    [
        ("causal", False, ("concepts.yaml", "id: causal-language-modeling")),
        ("our_mask", False, ("team.yaml", "id: our_mask")),  # a team entry: always
        ("attention_mask", False, None),  # a built-in argument in code: behind the setting
        ("attention_mask", True, ("arguments.yaml", "id: attention_mask")),
        ("cu_seq_lens_q", True, None),  # a catalogue name: no entry of ours to open
    ],
)
def test_definition(glossary, needle, arguments, expected):
    analysis = Glossary.open("file:///t.py", CODE, "python")
    line = 0 if needle == "causal" else 1
    place = glossary.definition(
        analysis, line, CODE.splitlines()[line].index(needle) + 1, arguments
    )
    if expected is None:
        assert place is None
        return
    name, needle_line = expected
    path = Path(place.path)
    assert path.name == name
    if name != "team.yaml":
        assert path.parent == default_data_dir()
    assert needle_line in path.read_text(encoding="utf-8").splitlines()[place.line]


def test_symbols(glossary):
    default = {e.id for e, _ in glossary.symbols("")}
    assert "our_mask" in default and "causal-language-modeling" in default
    assert "attention_mask" not in default
    with_arguments = {e.id for e, _ in glossary.symbols("", arguments=True)}
    assert "attention_mask" in with_arguments and len(with_arguments) > len(default)
    assert [e.id for e, _ in glossary.symbols("Causal Language")] == ["causal-language-modeling"]


def test_references(glossary):
    first = Glossary.open("file:///a.md", "Causal language modeling, again.\n", "markdown")
    second = Glossary.open("file:///b.py", CODE, "python")
    found = glossary.references(first, 0, 3, [first, second])
    assert [(a.doc.uri, s.start_line) for a, s in found] == [
        ("file:///a.md", 0),
        ("file:///b.py", 0),
    ]
