"""Diagnostics on real code, every finding reviewed by hand: trl's scripts and the transformers,
trl and peft READMEs of the newest wheels are clean; the transformers 4.51 README, checked
against the newest release, has exactly the two findings that are right there; accelerate's
example scripts (tests/fixtures/upstream/accelerate/) exactly the two `torch_dtype` ones."""

from __future__ import annotations

import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from transformers_glossary_ls.catalogue import default_catalogue
from transformers_glossary_ls.engine import Glossary

from tests.wheels import wheel

pytestmark = pytest.mark.wheels

SHIPPED = default_catalogue()
NEWEST = SHIPPED.newest("transformers")


def _readme(whl: zipfile.ZipFile) -> str:
    meta = next(n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
    return Parser().parsestr(whl.read(meta).decode()).get_payload()


def _found(text: str, uri: str) -> list[tuple[int, str, str]]:
    glossary = Glossary()
    analysis = Glossary.open(uri, text)
    return [
        (f.line + 1, f.code, analysis.doc.line(f.line)[f.start : f.end])
        for f in glossary.diagnostics(analysis)
    ]


def test_newest_scripts_and_readmes_are_clean():
    trl = zipfile.ZipFile(wheel("trl", SHIPPED.newest("trl")))
    scripts = [n for n in trl.namelist() if n.startswith("trl/scripts/") and n.endswith(".py")]
    assert len(scripts) >= 6
    for name in scripts:
        assert _found(trl.read(name).decode(), f"file:///{name}") == [], name
    for package in ("transformers", "trl", "peft"):
        text = _readme(zipfile.ZipFile(wheel(package, SHIPPED.newest(package))))
        assert _found(text, f"file:///{package}.md") == [], package


def test_an_older_readme_against_the_newest_release():
    text = _readme(zipfile.ZipFile(wheel("transformers", "4.51")))
    assert [(code, covered) for _, code, covered in _found(text, "file:///old.md")] == [
        # pipeline() warns "`torch_dtype` is deprecated! Use `dtype` instead!" (5.25.0)
        ("TG002", "torch_dtype"),
        # in REMOVED_TASKS of 5.25.0 pipelines/__init__.py: KeyError
        ("TG004", '"visual-question-answering"'),
    ]


ACCELERATE = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "accelerate"


def test_accelerate_examples_have_exactly_the_reviewed_findings():
    found = {
        path.name: [
            (line, code, covered)
            for line, code, covered in _found(path.read_text(encoding="utf-8"), path.as_uri())
        ]
        for path in sorted(ACCELERATE.glob("*.py"))
    }
    assert len(found) >= 7
    assert {name: f for name, f in found.items() if f} == {
        # from_pretrained(torch_dtype=...): deprecated since 4.56 in favour of `dtype` (5.25.0
        # modeling_utils.py still pops it "for BC" and uses it when `dtype` is not given)
        "inference_distributed_llava_next_video.py": [(154, "TG002", "torch_dtype")],
        "inference_distributed_phi2.py": [(28, "TG002", "torch_dtype")],
    }


PEFT = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "peft"


def test_a_scripts_own_class_named_like_trls_is_not_checked_as_trls():
    # peft's cartridge example defines `class DistillationTrainer(Trainer)` taking `top_k`, and
    # a second script imports it from the first: trl's DistillationTrainer of the same name
    # takes neither `top_k` nor `data_collator`, which were reported as TypeErrors.
    for name in ("cartridge_self_study_train_distill.py", "cartridge_self_study_arxiv_train.py"):
        path = PEFT / name
        text = path.read_text(encoding="utf-8")
        assert "DistillationTrainer(" in text and "top_k=" in text
        assert _found(text, path.as_uri()) == [], name
