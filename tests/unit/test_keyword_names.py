"""A name no callable takes (`window = ...`) is ruled out before the call around it is looked
for (`Facts.may_take`, from the catalogue's `names.json`): on real scripts and the benchmark's
generated training script, every hover on a `name =` is what it is without the rule."""

from __future__ import annotations

import re

import pytest
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.facts import Facts

from .conftest import UPSTREAM, benchmark_corpus

_NAME_EQUALS = re.compile(r"\b([A-Za-z_]\w*)[ \t]*=(?!=)")


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    loaded = Glossary()
    loaded.load()
    return loaded


SOURCES = [pytest.param(p, id=p.name) for p in sorted(UPSTREAM.glob("*/*.py"))]


@pytest.mark.parametrize("path", [*SOURCES, pytest.param(None, id="benchmark-2000")])
def test_ruling_names_out_changes_no_hover(glossary, monkeypatch, path):
    text = benchmark_corpus().py.text if path is None else path.read_text(encoding="utf-8")
    doc = Document("file:///tmp/names.py", text, "python")
    spots = [
        (k, m.start(1) + 1)
        for k, line in enumerate(doc.line(n) for n in range(doc.line_count))
        for m in _NAME_EQUALS.finditer(line)
    ]
    assert len(spots) > 20
    ruling = Analysis(doc)
    ruled = [glossary.hover(ruling, k, i) for k, i in spots]
    names = [_NAME_EQUALS.match(doc.line(k), i - 1).group(1) for k, i in spots]
    ruled_out = sum(not glossary.facts.may_take(name) for name in names)
    monkeypatch.setattr(Facts, "may_take", lambda self, name: True)
    fresh = Analysis(doc)
    plain = [glossary.hover(fresh, k, i) for k, i in spots]
    assert [a and (a.text, a.spot) for a in ruled] == [a and (a.text, a.spot) for a in plain]
    assert ruled_out > 0  # the rule did rule names out here


def test_a_name_only_an_installed_forward_takes_is_not_ruled_out():
    """The user's release may be newer than the catalogue: its forwards' own names, old names
    and decorators' names may be keywords."""
    from transformers_glossary_ls.catalogue import Catalogue
    from transformers_glossary_ls.installed_docs import Signature

    signature = Signature(
        params=(("brand_new_input", None, None),),
        renamed=(("old_input", "brand_new_input", "6.0"),),
        added=(("decorator:new", "added_input"),),
    )
    catalogue = Catalogue()
    facts = Facts(catalogue, installed={"LlamaForCausalLM": signature})
    for name in ("brand_new_input", "old_input", "added_input", "labels"):
        assert facts.may_take(name), name
        assert name == "labels" or not catalogue.may_name(name)
    assert not facts.may_take("window")
