"""Per class from the installed release: a model class named in the code gets exactly the names
its installed `forward` takes, and its own modeling file's docs (real wheel sources)."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import pytest
from transformers_glossary_ls.catalogue import default_catalogue
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.installed_docs import DocsWorker, read_installed_docs

from tests.wheels import install_files, wheel

pytestmark = pytest.mark.wheels

CATALOGUE = default_catalogue()
NEWEST = CATALOGUE.newest("transformers")
LLAMA = "transformers/models/llama/modeling_llama.py"
BERT = "transformers/models/bert/modeling_bert.py"
ONE = {"LlamaForCausalLM": "llama"}
SOURCE = (
    "from transformers import LlamaForCausalLM, AutoModel\n"
    "model = LlamaForCausalLM.from_pretrained('x')\n"
    "out = model(labels=y, attention_mask=m)\n"
    "out = model(\n"
    "auto = AutoModel.from_pretrained('x')\n"
    "h = auto(attention_mask=m)\n"
)


@pytest.fixture(scope="module", params=["4.40", NEWEST])
def installed(request, tmp_path_factory):
    """(version, site-packages) holding one release's llama and bert modeling files."""
    whl = wheel("transformers", request.param)
    site = tmp_path_factory.mktemp(f"site-{request.param}")
    install_files(whl, site, [LLAMA, BERT, "transformers/modeling_layers.py"])
    return whl.name.split("-")[1], site


def forward_names(path: Path, cls: str) -> list[str]:
    """The names of a class's `forward`, read independently of the server's reader."""
    tree = ast.parse(path.read_bytes())
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    forward = next(n for n in node.body if getattr(n, "name", "") == "forward")
    args = forward.args
    return [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.arg != "self"]


def glossary_for(version: str, site: Path) -> Glossary:
    glossary = Glossary()
    glossary.load()
    glossary.use_versions({"transformers": version})
    wanted = {c: CATALOGUE.model_dir(c) for c in glossary.wants_classes(SOURCE)}
    glossary.use_installed_docs(read_installed_docs([site], {"transformers": version}, wanted))
    return glossary


def offered(glossary: Glossary) -> set[str]:
    analysis = Glossary.open("file:///t.py", SOURCE)
    return {c.insert.rstrip("=") for c in glossary.complete(analysis, 3, 12).candidates}


def test_the_classes_a_text_names_are_the_concrete_model_classes():
    glossary = Glossary()
    assert glossary.wants_classes(SOURCE) == {"LlamaForCausalLM"}  # not AutoModel
    assert glossary.wants_classes("x = BertModel(config)\ny: WhisperForConditionalGeneration") == {
        "BertModel",
        "WhisperForConditionalGeneration",
    }
    assert glossary.wants_classes("MyOwnModel(); NotAClass") == set()


def test_completion_offers_exactly_the_installed_forward(installed):
    version, site = installed
    names = set(forward_names(site / LLAMA, "LlamaForCausalLM"))
    got = offered(glossary_for(version, site))
    sig = read_installed_docs([site], {"transformers": version}, ONE).classes["LlamaForCausalLM"]
    if sig.kwargs is None:  # 4.40: the signature alone
        assert got == names - {"kwargs"}
    else:  # **kwargs: Unpack[TransformersKwargs] and decorators add their names
        assert names - {"kwargs"} <= got
        assert "cu_seq_lens_q" in got and "return_dict" in got
        renamed = {old: new for old, new, _ in sig.renamed}
        if "past_key_values" in renamed:  # @deprecate_kwarg: still taken, tagged deprecated
            analysis = Glossary.open("file:///t.py", SOURCE)
            glossary = glossary_for(version, site)
            tags = {c.insert: c.deprecated for c in glossary.complete(analysis, 3, 12).candidates}
            assert tags["past_key_values="] and not tags["cache="]
        if version.startswith(NEWEST):  # the catalogue generator read the same file
            record = CATALOGUE._models()["classes"]["LlamaForCausalLM"]["params"]
            assert got == set(record)


def test_the_two_releases_differ_as_their_signatures_do(tmp_path):
    old_site, new_site = tmp_path / "old", tmp_path / "new"
    old_whl, new_whl = wheel("transformers", "4.40"), wheel("transformers", NEWEST)
    install_files(old_whl, old_site, [LLAMA])
    install_files(new_whl, new_site, [LLAMA])
    old = offered(glossary_for(old_whl.name.split("-")[1], old_site))
    new = offered(glossary_for(new_whl.name.split("-")[1], new_site))
    old_names = set(forward_names(old_site / LLAMA, "LlamaForCausalLM"))
    new_names = set(forward_names(new_site / LLAMA, "LlamaForCausalLM"))
    assert old_names - {"kwargs"} <= old and new_names - {"kwargs"} <= new
    # Names only the old signature has, and not passed on by the new `**kwargs` either.
    gone = {n for n in old_names - new_names if n not in new}
    assert gone and gone <= old, gone  # e.g. cache_position
    for name in new_names - old_names - {"kwargs"}:  # e.g. logits_to_keep, cache
        assert name in new and name not in old, name


def test_hover_shows_the_models_own_docs(installed):
    version, site = installed
    glossary = glossary_for(version, site)
    analysis = Glossary.open("file:///t.py", SOURCE)
    text = glossary.hover(analysis, 2, 13).text  # labels of LlamaForCausalLM
    assert text.startswith("`(LlamaForCausalLM) labels")
    own = glossary.installed_docs.get("LlamaForCausalLM", "labels")
    if version.startswith("4.40"):  # its own Args, from LLAMA_INPUTS_DOCSTRING's forward
        assert own and own in text and f"From your transformers {version}" in text
        assert glossary.installed_docs.texts[("LlamaForCausalLM", "labels")] == own


def test_old_releases_document_the_family_from_inputs_docstrings(tmp_path):
    whl = wheel("transformers", "4.40")
    install_files(whl, tmp_path, [BERT])  # 4.40 has no utils/args_doc.py nor auto_docstring.py
    docs = read_installed_docs([tmp_path], {"transformers": "4.40.2"})
    text = docs.get("model", "token_type_ids")
    assert text and "{0}" not in docs.get("model", "input_ids")
    source = (tmp_path / BERT).read_text()
    assert text.splitlines()[0] in source  # read from the installed file, not from us
    glossary = Glossary()
    glossary.load()
    glossary.use_versions({"transformers": "4.40.2"})
    glossary.use_installed_docs(docs)
    hover = glossary.hover(Glossary.open("file:///t.py", SOURCE), 5, 12).text
    assert "From your transformers 4.40.2 (installed)" in hover
    assert docs.get("model", "attention_mask").splitlines()[0] in hover  # links are sanitised


def test_the_installed_signatures_are_read_a_step_at_a_time_ahead_of_requests(installed):
    """After a hand-over the classes' look-ups are prepared in idle steps (the first request
    used to pay tens of ms for them), and they answer as the unprepared ones do."""
    from transformers_glossary_ls import kinds

    version, site = installed
    warmed, cold = glossary_for(version, site), glossary_for(version, site)
    steps = list(warmed.installed_steps())
    assert len(steps) >= 2 * len(warmed.facts.installed)  # signatures, then lists
    assert list(warmed.facts.warm_steps()) == []  # read: nothing to do
    for name in warmed.facts.installed:
        assert warmed.facts.names_of(name) == cold.facts.names_of(name)
        assert list(warmed.argument_lists.build_steps(kinds.MODEL, name)) == []  # built
        built = warmed.argument_lists.get(kinds.MODEL, name).ordered
        assert list(built) == list(cold.argument_lists.get(kinds.MODEL, name).ordered)
    bare = Glossary()
    bare.use_versions({"transformers": version})
    assert list(bare.facts.warm_steps()) == []  # no installed classes: nothing to do


def test_new_installed_docs_keep_the_lists_they_do_not_change(installed):
    """A hand-over of installed docs rebuilds only the installed classes' completion lists:
    a family's list (10-30 ms to build) is kept, and every list answers as a fresh one."""
    from transformers_glossary_ls import kinds

    version, site = installed
    glossary = Glossary()
    glossary.load()
    glossary.use_versions({"transformers": version})
    lists = glossary.argument_lists
    family = lists.get(kinds.MODEL, "model:ForCausalLM")
    before = lists.get(kinds.MODEL, "LlamaForCausalLM")  # the catalogue's, not yet installed
    glossary.use_installed_docs(read_installed_docs([site], {"transformers": version}, ONE))
    fresh = glossary_for(version, site).argument_lists
    kept = glossary.argument_lists
    assert kept.get(kinds.MODEL, "model:ForCausalLM") is family
    for key in ("model:ForCausalLM", "LlamaForCausalLM"):
        assert list(kept.get(kinds.MODEL, key).ordered) == list(fresh.get(kinds.MODEL, key).ordered)
    assert kept.get(kinds.MODEL, "LlamaForCausalLM") is not before


def test_another_release_set_by_hand_keeps_the_catalogue(installed):
    version, site = installed
    glossary = glossary_for(version, site)
    exact = offered(glossary)
    glossary.use_versions({"transformers": "4.45.2"})  # `transformersVersion`
    glossary.use_installed_docs(glossary.installed_docs)
    assert not glossary.facts.exact("LlamaForCausalLM") and offered(glossary) != exact


def test_the_worker_reads_the_classes_too(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "cache"))
    version, site = installed
    classes = {"LlamaForCausalLM": "llama", "BertModel": "bert", "Nope": "../../etc"}
    here = read_installed_docs([site], {"transformers": version}, classes)
    worker = DocsWorker()
    try:
        assert worker.read([site], {"transformers": version}, classes) == here
    finally:
        worker.close()
    assert set(here.classes) == {"LlamaForCausalLM", "BertModel"}


def test_a_hostile_modeling_file_costs_nothing(tmp_path):
    folder = tmp_path / "transformers" / "models" / "llama"
    folder.mkdir(parents=True)
    (folder / "modeling_llama.py").write_text("class LlamaForCausalLM:\n  x = (\n")
    docs = read_installed_docs([tmp_path], {"transformers": "5.0.0"}, ONE)
    assert docs.classes == {}
    # A class that is its own base, in a file that parses: no endless walk.
    (folder / "modeling_llama.py").write_text("class LlamaForCausalLM(LlamaForCausalLM): ...\n")
    docs = read_installed_docs([tmp_path], {"transformers": "5.0.0"}, ONE)
    assert docs.classes == {}


def test_the_newest_release_read_from_its_sources_agrees_with_the_catalogue(tmp_path):
    """The catalogue generator read the same wheel its own way: for a spread of classes (and the
    awkward ones: files not named after their folder, `deprecate_kwarg(..., version=...)`,
    `Generic*` bases), the names read at run time are the generator's."""
    models = CATALOGUE._models()["classes"]
    names = sorted(models)[::60] + [
        "Data2VecTextModel",
        "BlipTextModel",
        "FuyuModel",
        "VipLlavaModel",
        "LlamaForSequenceClassification",
        "WhisperForConditionalGeneration",
    ]
    whl = wheel("transformers", NEWEST)
    folders = {models[n]["dir"] for n in names}
    with zipfile.ZipFile(whl) as z:
        members = [
            m
            for m in z.namelist()
            if m.startswith("transformers/models/") and m.split("/")[2] in folders
        ]
    install_files(whl, tmp_path, [*members, "transformers/modeling_layers.py"])
    classes = {n: models[n]["dir"] for n in names}
    glossary = Glossary()
    glossary.use_versions({"transformers": whl.name.split("-")[1]})
    docs = read_installed_docs([tmp_path], {"transformers": whl.name.split("-")[1]}, classes)
    glossary.use_installed_docs(docs)
    assert set(docs.classes) == set(names)
    for name in names:
        assert glossary.facts.exact(name)
        got = {f.param.name for f in glossary.facts.names_of(name)}
        assert got == set(models[name]["params"]), name
