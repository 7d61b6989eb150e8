"""Precision and recall of spotting on real docs and notebooks that no test here wrote.

The files are vendored under tests/fixtures/upstream/prose/ (trl and peft docs, three
transformers doc notebooks with their cells joined; README.md in the folder above says where
from). `labels.tsv` next to them was checked by hand: every place one of the terms issue 15 is
about appears (post-training, PEFT and quantization formats, distributed training, attention
variants, decoding and tokenizer algorithms, "transformer", "token", "head", fine-tuning and
pretraining, a few argument names used as variables), with the entry it means, or `-` where a
false friend must stay silent (the library "Transformers", a module path, a Hub token, a method).

A spot counts when its entry is one of those terms or when it lands on a labelled place; it is
right when a label has the same start, text and entry. The figures are in the README.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache

import pytest
from transformers_glossary_ls.engine import Glossary

from .conftest import UPSTREAM

PROSE = UPSTREAM / "prose"
LABELS = PROSE / "labels.tsv"
# Entries of the terms the labels cover, besides every entry of methods.yaml.
EXISTING = {
    "transformer",
    "token",
    "head",
    "finetuned-models",
    "pretrained-model",
    "large-language-models",
    "greedy-decoding",
    "beam-search",
    "sampling",
    "special-tokens",
    "embedding",
    "optim",
    "push_to_hub",
    "quantization_config",
    "generation_config",
    "max_length",
    "device_map",
}
SILENT = "-"
Key = tuple[str, int, int, str]  # file, line, column (1-based), text as written


@cache
def labels() -> dict[Key, str]:
    with LABELS.open(encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    found = {}
    for row in csv.DictReader(rows, delimiter="\t"):
        key = (row["file"], int(row["line"]), int(row["column"]), row["text"])
        assert key not in found, key
        found[key] = row["label"]
    return found


@cache
def glossary() -> Glossary:
    g = Glossary()
    g.load()
    return g


def scope() -> set[str]:
    methods = {e.id for e in glossary().vocab.entries.values() if "methods.yaml" in e.source}
    assert len(methods) >= 25, methods
    return methods | EXISTING


@cache
def spotted() -> dict[Key, str]:
    """What `explain` finds in each file, as label keys."""
    found = {}
    for path in sorted(PROSE.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        analysis = Glossary.open(path.as_uri(), text)
        for s in glossary().explain(analysis):
            if s.end_line != s.start_line:
                written = "\n".join(
                    analysis.doc.line(n)[s.start if n == s.start_line else 0 :]
                    if n < s.end_line
                    else analysis.doc.line(n)[: s.end]
                    for n in range(s.start_line, s.end_line + 1)
                )
            else:
                written = analysis.doc.line(s.start_line)[s.start : s.end]
            found[(path.name, s.start_line + 1, s.start + 1, written)] = s.entry.id
    return found


def _judged() -> tuple[list[str], list[str], int, int]:
    """(wrong spots, missed labels, right spots, labelled terms)."""
    terms, expected, found = scope(), labels(), spotted()
    counted = {k: v for k, v in found.items() if v in terms or k[:3] in {e[:3] for e in expected}}
    right = [k for k, v in counted.items() if expected.get(k) == v]
    wrong = [
        f"{k}: {v} (label: {expected.get(k, 'none')})"
        for k, v in counted.items()
        if expected.get(k) != v
    ]
    wanted = [k for k, v in expected.items() if v != SILENT]
    missed = [f"{k}: {expected[k]}" for k in wanted if found.get(k) != expected[k]]
    return wrong, missed, len(right), len(wanted)


def test_the_labels_are_real():
    """Every label names text that is really there, in a file that is really there."""
    files = {p.name for p in PROSE.glob("*.md")}
    by_file = defaultdict(list)
    for (name, line, column, text), label in labels().items():
        assert name in files, name
        by_file[name].append((line, column, text, label))
    for name, rows in by_file.items():
        lines = (PROSE / name).read_text(encoding="utf-8").split("\n")
        for line, column, text, label in rows:
            assert lines[line - 1][column - 1 :].startswith(text), (name, line, column, text)
            assert label == SILENT or label in scope(), label
    assert len(labels()) >= 400
    assert sum(1 for v in labels().values() if v == SILENT) >= 100


def test_precision_and_recall():
    wrong, missed, right, wanted = _judged()
    precision = right / (right + len(wrong))
    recall = (wanted - len(missed)) / wanted
    assert wanted >= 300
    assert precision >= 0.98, f"precision {precision:.1%}; wrong:\n" + "\n".join(wrong)
    assert recall >= 0.95, f"recall {recall:.1%}; missed:\n" + "\n".join(missed)


@pytest.mark.parametrize("word", ["Transformers", "transformers", "token", "push_to_hub"])
def test_false_friends_stay_silent(word):
    """Where a label says a false friend is something else, nothing is spotted at all."""
    silent = [k for k, v in labels().items() if v == SILENT and k[3].lower() == word.lower()]
    assert silent or word == "token"
    heard = [k for k in silent if k in spotted()]
    assert not heard, heard
