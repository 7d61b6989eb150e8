"""Vocabulary files as layers: a later file adds entries, and changes an earlier file's entry
only when it names it with `overrides:` or `extends:`; reusing an id by accident is an error.
Also the schema version a file may declare. The built-in layer is the shipped data."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.hovertext import hover_text
from transformers_glossary_ls.vocabulary import load_default, load_files
from transformers_glossary_ls.vocabulary.loader import SCHEMA_VERSION

BASE = """\
entries:
  - id: golden-set
    term: golden set
    kind: concept
    aliases: [gold set]
    summary: Hand-checked evaluation examples.
    definition: The examples every candidate is scored on.
    see_also: [holdout]
    url: https://example.org/golden-set
  - id: holdout
    term: holdout
    kind: concept
    summary: Data kept out of training.
    definition: Never trained on.
    url: https://example.org/holdout
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(errors) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in errors]


@pytest.mark.parametrize(
    ("layer", "summary", "definition", "aliases"),
    [
        pytest.param(
            "  - overrides: golden-set\n    summary: Ours now.\n",
            "Ours now.",
            "The examples every candidate is scored on.",
            ("gold set",),
            id="overrides replaces the fields it gives",
        ),
        pytest.param(
            "  - overrides: golden-set\n    aliases: [golden examples]\n",
            "Hand-checked evaluation examples.",
            "The examples every candidate is scored on.",
            ("golden examples",),
            id="overrides replaces lists",
        ),
        pytest.param(
            "  - extends: golden-set\n    definition: Refreshed yearly.\n"
            "    aliases: [golden examples]\n",
            "Hand-checked evaluation examples.",
            "The examples every candidate is scored on.\n\nRefreshed yearly.",
            ("gold set", "golden examples"),
            id="extends appends lists and the definition",
        ),
    ],
)
def test_a_later_file_changes_an_entry_by_id(tmp_path, layer, summary, definition, aliases):
    base = write(tmp_path, "base.yaml", BASE)
    team = write(tmp_path, "team.yaml", "entries:\n" + layer)
    vocab, errors = load_files([base, team], {str(team): "team.yaml"})
    assert errors == []
    entry = vocab.entries["golden-set"]
    assert (entry.summary, entry.definition, entry.aliases) == (summary, definition, aliases)
    assert entry.source == f"{team}:2" and entry.origin == "team.yaml:2"
    assert entry.replaces == layer.split(":")[0].strip(" -")
    assert entry.replaced == "built-in base.yaml:2"  # a file without a label is built in
    for alias in aliases:  # the changed entry's phrases point at it
        assert vocab.phrases[tuple(alias.split())] is entry


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        pytest.param(
            "  - id: golden-set\n    term: golden set 2\n    kind: concept\n"
            "    summary: s\n    definition: d\n    url: https://example.org\n",
            "id already used by an earlier vocabulary file",
            id="an accidental clash",
        ),
        pytest.param(
            "  - overrides: no-such-entry\n    summary: s\n",
            "'overrides' names no entry of an earlier vocabulary file",
            id="overrides naming nothing",
        ),
        pytest.param(
            "  - overrides: golden-set\n    extends: golden-set\n",
            "not both",
            id="both",
        ),
        pytest.param(
            "  - overrides: golden-set\n    id: other\n",
            "leave out 'id'",
            id="a different id",
        ),
        pytest.param(
            "  - overrides: golden-set\n    kind: argument\n",
            "cannot change the kind",
            id="a changed kind",
        ),
        pytest.param(
            "  - overrides: [golden-set]\n",
            "must be the id of an entry",
            id="not an id",
        ),
    ],
)
def test_a_bad_change_is_reported_and_the_earlier_entry_stays(tmp_path, layer, message):
    base = write(tmp_path, "base.yaml", BASE)
    team = write(tmp_path, "team.yaml", "entries:\n" + layer)
    vocab, errors = load_files([base, team], {str(team): "team.yaml"})
    (error,) = errors
    assert error.file == str(team) and error.line == 2 and message in error.message
    assert vocab.entries["golden-set"].summary == "Hand-checked evaluation examples."
    assert vocab.entries["golden-set"].origin == ""  # base has no label: built in


def test_an_entry_cannot_override_one_of_its_own_file(tmp_path):
    team = write(tmp_path, "team.yaml", BASE + "  - overrides: holdout\n    summary: s\n")
    _, errors = load_files([team], {str(team): "team.yaml"})
    assert [e.message for e in errors] == [
        "'overrides' names no entry of an earlier vocabulary file"
    ]


def test_a_phrase_claimed_by_a_built_in_entry_is_a_clash(tmp_path):
    team = write(
        tmp_path,
        "team.yaml",
        "entries:\n  - id: our-mask\n    term: attention mask\n    kind: concept\n"
        "    summary: s\n    definition: d\n    url: https://example.org\n",
    )
    vocab, errors = load_default([team])
    (error,) = errors
    assert "already claimed" in error.message and "our-mask" not in vocab.entries


def test_a_team_entry_overrides_the_words_under_a_generated_per_call_name(tmp_path):
    """Catalogue names have no ids: the words under one come from the argument entry of the
    same name, which a team overrides by id."""
    team = write(
        tmp_path, "team.yaml", "entries:\n  - overrides: attention_mask\n    summary: Ours.\n"
    )
    glossary = Glossary((str(team),), labels={str(team): "team.yaml"})
    analysis = Glossary.open("file:///t.py", "model(attention_mask=m)\n", "python")
    text = glossary.hover(analysis, 0, 8).text
    assert "Ours." in text and "`team.yaml:2`" in text and "*overrides*" in text
    assert glossary.errors == []


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (f"version: {SCHEMA_VERSION}\n", None),
        ("", None),
        (f"version: {SCHEMA_VERSION + 1}\n", "written for schema version 2"),
        ("version: one\n", "version must be a whole number"),
        ("version: 0\n", "version must be a whole number"),
    ],
    ids=["current", "none", "newer", "text", "zero"],
)
def test_the_schema_version(tmp_path, header, message):
    path = write(tmp_path, "v.yaml", header + BASE)
    vocab, errors = load_files([path])
    if message is None:
        assert errors == [] and "golden-set" in vocab.entries
    else:
        (error,) = errors
        assert message in error.message and "golden-set" not in vocab.entries


def test_the_origin_is_shown_on_hover_and_built_in_entries_show_none(tmp_path):
    team = write(tmp_path, "team.yaml", BASE)
    vocab, _ = load_default([team], {str(team): "docs/team.yaml"})
    text = hover_text(vocab.entries["golden-set"], vocab)
    assert text.endswith("*From* `docs/team.yaml:2`")
    assert hover_text(vocab.entries["golden-set"], vocab, markdown=False).endswith(
        "From docs/team.yaml:2"
    )
    assert "From" not in hover_text(vocab.entries["attention_mask"], vocab)


def test_the_readme_example_loads_as_documented(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("## Your team's vocabulary")[1].split("```yaml\n")[1].split("```")[0]
    team = write(tmp_path, ".transformers-glossary.yaml", example)
    vocab, errors = load_default([team], {str(team): ".transformers-glossary.yaml"})
    assert errors == []
    assert vocab.entries["golden-set"].origin == ".transformers-glossary.yaml:3"
    assert vocab.entries["attention_mask"].replaces == "overrides"
    labels = vocab.entries["labels-term"]
    assert labels.replaces == "extends" and labels.definition.endswith("the prompt tokens.")
