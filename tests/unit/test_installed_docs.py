"""Docs read at run time from the user's installed packages: real wheel sources, hostile files."""

from __future__ import annotations

import os

import pytest
from transformers_glossary_ls import installed_docs
from transformers_glossary_ls.catalogue import default_catalogue
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.installed_docs import read_installed_docs

from tests.wheels import install_files, wheel

CATALOGUE = default_catalogue()
SOURCES = {
    "transformers": ["transformers/utils/auto_docstring.py", "transformers/training_args.py"],
    "trl": ["trl/trainer/sft_config.py"],
    "peft": ["peft/tuners/lora/config.py"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site-packages")
    for package, members in SOURCES.items():
        install_files(wheel(package, CATALOGUE.newest(package)), site, members)
    return site


@pytest.mark.wheels
def test_the_installed_sources_document_each_callable(site):
    docs = read_installed_docs([site], {"transformers": "5", "trl": "1", "peft": "0"})
    for key, name in [
        ("model", "attention_mask"),
        ("model:ForCausalLM", "input_ids"),  # a head family reads the model docs
        ("LlamaForCausalLM", "labels"),  # so does a concrete class
        ("training_args", "learning_rate"),
        ("SFTConfig", "max_length"),
        ("LoraConfig", "lora_alpha"),
    ]:
        text = docs.get(key, name)
        assert text and len(text) > 5 and not text.startswith(" "), (key, name, text)
    assert docs.get("training_args", "no_such_name") is None


@pytest.mark.wheels
def test_a_hover_shows_them_below_our_words(site):
    glossary = Glossary()
    glossary.load()
    analysis = Glossary.open("file:///t.py", "args = TrainingArguments(learning_rate=1e-4)")
    before = glossary.hover(analysis, 0, 27).text
    docs = read_installed_docs([site], {"transformers": "5.25.0"})
    glossary.use_installed_docs(docs)
    after = glossary.hover(analysis, 0, 27).text
    assert "From your transformers 5.25.0 (installed)" in after
    assert after.startswith(before)  # ours first, theirs last
    assert docs.get("training_args", "learning_rate") in after


def test_broken_and_hostile_files_cost_nothing(tmp_path):
    utils = tmp_path / "transformers" / "utils"
    utils.mkdir(parents=True)
    (utils / "auto_docstring.py").write_text("class ModelArgs:\n    x = {'description': \n")
    os.mkfifo(tmp_path / "transformers" / "training_args.py")
    docs = read_installed_docs([tmp_path], {"transformers": "5.0.0"})
    assert docs.texts == {}


def test_a_long_description_is_cut(tmp_path):
    utils = tmp_path / "transformers" / "utils"
    utils.mkdir(parents=True)
    body = "word " * 2000
    (utils / "auto_docstring.py").write_text(
        f"class ModelArgs:\n    input_ids = {{'description': '''{body}''', 'shape': 'x'}}\n"
    )
    text = read_installed_docs([tmp_path], {"transformers": "5.0.0"}).get("model", "input_ids")
    assert text.endswith("…") and len(text) <= 1500


@pytest.mark.wheels
def test_the_worker_reads_the_same_and_is_kept_between_reads(site, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "cache"))
    versions = {"transformers": "5", "trl": "1", "peft": "0"}
    worker = installed_docs.DocsWorker()
    try:
        assert worker.read([site], versions) == read_installed_docs([site], versions)
        first = worker._proc.pid
        only = {"transformers": "5"}
        assert worker.read([site], only) == read_installed_docs([site], only)
        assert worker._proc.pid == first  # one process for both reads
    finally:
        worker.close()
    assert worker._proc is None


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux's scheduler classes")
def test_the_worker_runs_in_the_schedulers_idle_class(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "cache"))
    worker = installed_docs.DocsWorker()
    try:
        assert worker.read([tmp_path], {"transformers": "5.0.0"}) is not None
        assert os.sched_getscheduler(worker._proc.pid) == os.SCHED_IDLE
    finally:
        worker.close()


def test_the_worker_answers_a_line_per_request_and_survives_a_bad_one(tmp_path, monkeypatch):
    import io
    import json

    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "cache"))
    good = {"sites": [str(tmp_path)], "versions": {"transformers": "5.0.0"}, "classes": {}}
    requests = io.BytesIO(b"not json\n" + json.dumps(good).encode() + b"\n")
    answers = io.BytesIO()
    assert installed_docs.serve(requests, answers) == 0
    bad, head, *parts = answers.getvalue().splitlines()
    assert "error" in json.loads(bad)
    assert len(parts) == json.loads(head)["parts"]
    assert installed_docs.from_parts(head, parts) == read_installed_docs(
        [tmp_path], {"transformers": "5.0.0"}
    )


@pytest.mark.wheels
def test_the_docs_come_back_whole_from_their_parts(tmp_path):
    """The worker's answer in parts (a few dozen texts, or one class, a line) holds what one
    JSON document holds."""
    members = ["transformers/utils/auto_docstring.py", "transformers/modeling_layers.py"]
    members += [f"transformers/models/{m}/modeling_{m}.py" for m in ("llama", "bert")]
    newest = CATALOGUE.newest("transformers")
    install_files(wheel("transformers", newest), tmp_path, members)
    classes = {"LlamaForCausalLM": "llama", "BertModel": "bert"}
    docs = read_installed_docs([tmp_path], {"transformers": newest}, classes)
    assert set(docs.classes) == set(classes) and len(docs.texts) > 2 * installed_docs.PART_TEXTS
    head, *parts = installed_docs.to_parts(docs)
    assert len(parts) == -(-len(docs.texts) // installed_docs.PART_TEXTS) + len(classes)
    assert installed_docs.from_parts(head, parts) == docs
    assert installed_docs.from_json(installed_docs.to_json(docs)) == docs


@pytest.mark.parametrize(
    ("command", "why"),
    [
        (["false"], "ends at once"),
        (["python3", "-c", "import time; time.sleep(60)"], "never answers"),
        (
            ["python3", "-c", "import sys; sys.stdout.write('x' * 5000); sys.stdout.flush()"],
            "too much",
        ),
        (["python3", "-c", "input(); print('{}')"], "unreadable"),
        (["python3", "-c", 'input(); print(\'{"versions": {}, "parts": 2}\')'], "cut short"),
        (["python3", "-c", 'input(); print(\'{"versions": {}, "parts": 1}\\n[1]\')'], "bad part"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_failing_worker_is_none_and_the_next_read_starts_another(command, why, monkeypatch):
    monkeypatch.setattr(installed_docs, "MAX_OUTPUT_BYTES", 1000)
    worker = installed_docs.DocsWorker(command)
    assert worker.read([], {}, timeout=1.0) is None
    assert worker._proc is None  # ended: the next read starts another
    assert worker.read([], {}, timeout=1.0) is None


@pytest.mark.wheels
def test_a_warm_start_reads_the_cache_and_an_edit_misses_it(site, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "cache"))
    versions = {"transformers": "5.25.0"}
    cold = installed_docs.read_cached([site], versions)
    written = list((tmp_path / "cache").glob("installed-*.json"))
    assert len(written) == 1 and cold.texts
    calls = []
    monkeypatch.setattr(installed_docs, "read_installed_docs", lambda *a: calls.append(a) or cold)
    assert installed_docs.read_cached([site], versions) == cold and calls == []  # warm
    source = site / "transformers" / "training_args.py"
    os.utime(source, ns=(0, source.stat().st_mtime_ns + 10**9))  # an editable install changed
    installed_docs.read_cached([site], versions)
    assert len(calls) == 1


def test_the_cache_folder_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "cache"))
    for n in range(installed_docs.MAX_CACHE_FILES + 4):
        installed_docs.read_cached([tmp_path / f"site{n}"], {"transformers": f"5.{n}.0"})
    left = list((tmp_path / "cache").glob("installed-*.json"))
    assert len(left) == installed_docs.MAX_CACHE_FILES
