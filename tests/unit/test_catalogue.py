"""The shipped catalogue (glossary_data/catalogue), read through the engine's reader.

Every fact asserted here was checked against the real wheels; test_catalogue_generator.py
re-derives the same facts from freshly parsed wheels in CI.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from transformers_glossary_ls.catalogue import (
    DEPRECATED,
    NOT_YET,
    OK,
    REMOVED,
    Catalogue,
    Param,
    _read_json,
    default_catalogue_dir,
    head_family,
    minor,
)

CAT_DIR = default_catalogue_dir()


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue()


def test_the_catalogue_ships_and_is_small():
    files = sorted(str(p.relative_to(CAT_DIR)) for p in CAT_DIR.rglob("*.json"))
    assert {
        "index.json",
        "transformers/meta.json",
        "transformers/training_args.json",
        "transformers/model--ForCausalLM.json",
        "transformers-models.json",
        "trl/SFTConfig.json",
        "peft/LoraConfig.json",
    } <= set(files)
    total = sum(p.stat().st_size for p in CAT_DIR.rglob("*.json"))
    assert total <= 4 * 1024 * 1024, total


def test_releases_cover_the_period(cat):
    rels = cat.releases("transformers")
    assert rels[0] == "4.20" and rels[-1] == cat.newest("transformers")
    assert "4.57" in rels and "5.0" in rels and len(rels) >= 60
    assert cat.wheel_version("transformers", "4.40") == "4.40.2"
    assert cat.releases("trl")[0] == "0.4" and cat.releases("peft")[0] == "0.3"
    assert minor("4.40.2") == "4.40"


def test_evaluation_strategy_lifecycle(cat):
    p = cat.param("training_args", "evaluation_strategy", "4.40")
    assert isinstance(p, Param)
    assert p.status("4.40") == OK
    assert p.status("4.41") == DEPRECATED and p.deprecated_since == "4.41"
    assert p.status("4.50") == DEPRECATED
    assert p.status("4.51") == REMOVED and p.last_release == "4.50"
    assert p.status() == REMOVED
    assert p.replacement == "eval_strategy"
    assert p.removal_planned == "4.46"  # announced; the wheels kept it until 4.50
    assert "evaluation_strategy" in {q.name for q in cat.params("training_args", "4.40")}
    assert "evaluation_strategy" not in {q.name for q in cat.params("training_args")}
    # Found from the newest release too, with its status.
    assert cat.param("training_args", "evaluation_strategy").status() == REMOVED


def test_eval_strategy_choices_and_default(cat):
    p = cat.param("training_args", "eval_strategy")
    assert p.first_release == "4.41" and p.last_release is None
    assert p.default == "'no'"
    assert set(p.choices) >= {'"no"', '"steps"', '"epoch"'}
    assert p.status("4.40") == NOT_YET
    assert "IntervalStrategy" in p.type
    assert p.url.startswith("https://huggingface.co/docs/transformers/v")


def test_dtype_in_from_pretrained_since_4_56(cat):
    p = cat.param("from_pretrained", "dtype")
    assert p.first_release == "4.56"
    assert p.status("4.55") == NOT_YET and p.status("4.56") == OK
    assert p.effective_default == "'auto'"  # reads None, means "auto" (5.x)
    old = cat.param("from_pretrained", "torch_dtype", "4.40")
    assert old is not None and old.status("4.40") == OK


def test_cache_replaces_past_key_values_in_model_forwards(cat):
    new = cat.param("model:ForCausalLM", "cache")
    assert new.first_release == "5.24"
    assert new.status("5.23") == NOT_YET
    old = cat.param("model:ForCausalLM", "past_key_values")
    assert old.status("5.23") == OK
    assert old.status("5.24") == DEPRECATED
    assert old.replacement == "cache"
    assert old.deprecated_since == "5.24"


def test_output_attentions_via_transformers_kwargs(cat):
    p = cat.param("LlamaForCausalLM", "output_attentions", "5.25")
    assert p is not None and p.status("5.25") == OK
    assert p.origin == "TransformersKwargs"
    names = {q.name for q in cat.params("LlamaForCausalLM")}
    assert {"input_ids", "attention_mask", "labels", "output_hidden_states", "return_dict"} <= names
    fam = {q.name for q in cat.params("model:ForCausalLM", "5.25")}
    assert "output_attentions" in fam
    # A class unknown to the catalogue falls back to its head family.
    assert {q.name for q in cat.params("MyOwnForCausalLM")} == {
        q.name for q in cat.params("model:ForCausalLM")
    }


def test_model_input_shape_and_dtype(cat):
    p = cat.param("LlamaForCausalLM", "input_ids")
    assert p.shape == "(batch_size, sequence_length)"
    assert p.dtype == "torch.LongTensor"
    assert "model_doc/llama" in p.url


def test_generation_effective_defaults(cat):
    p = cat.param("generation_config", "max_length")
    assert p.effective_default == "20" or p.default == "20"
    old = cat.param("generation_config", "max_length", "4.40")
    assert old.default == "20"
    gen = {q.name for q in cat.params("generate")}
    assert {"max_new_tokens", "do_sample", "streamer", "generation_config"} <= gen


def test_tokenizer_choices(cat):
    p = cat.param("tokenizer", "padding")
    assert {'"longest"', '"max_length"', '"do_not_pad"', "True", "False"} <= set(p.choices)
    assert '"pt"' in cat.param("tokenizer", "return_tensors").choices


def test_trainer_tokenizer_renamed_processing_class(cat):
    p = cat.param("trainer", "tokenizer")
    assert p.replacement == "processing_class"
    assert cat.param("trainer", "processing_class").status() == OK


def test_pipeline_tasks_removed_in_5_0(cat):
    for task in ("summarization", "translation", "text2text-generation", "image-to-text"):
        p = cat.param("pipeline_task", task)
        assert p.status("4.57") == OK, task
        assert p.status("5.0") == REMOVED, task
    assert cat.param("pipeline_task", "sentiment-analysis").alias_of == "text-classification"


def test_model_outputs_and_config(cat):
    out = {q.name for q in cat.params("CausalLMOutputWithPast")}
    assert {"loss", "logits", "hidden_states", "attentions"} <= out
    assert cat.param("CausalLMOutputWithPast", "logits").shape
    cfg = {q.name for q in cat.params("config")}
    assert {"hidden_size", "num_attention_heads", "vocab_size"} <= cfg


def test_trl_and_peft_configs(cat):
    sft = {q.name for q in cat.params("SFTConfig")}
    assert "max_length" in sft or "max_seq_length" in sft
    assert "seed" in sft  # from TrainingArguments, on the transformers axis
    assert cat.param("SFTConfig", "seed").package == "transformers"
    lr = cat.param("SFTConfig", "learning_rate")  # trl overrides the field: its own wins
    assert lr.package == "trl" and lr.default == "2e-05"
    assert cat.param("SFTConfig", "dataset_text_field").package == "trl"
    old = cat.param("SFTConfig", "max_seq_length")
    assert old.status() == REMOVED and old.replacement == "max_length"
    lora = {q.name for q in cat.params("LoraConfig")}
    assert {"r", "lora_alpha", "target_modules", "lora_dropout", "task_type"} <= lora
    assert cat.params("GRPOConfig") and cat.params("DPOConfig")


def test_head_family():
    assert head_family("LlamaForCausalLM") == "ForCausalLM"
    assert head_family("BertModel") == "Model"
    assert head_family("GPT2LMHeadModel") == "LMHeadModel"
    assert head_family("LlamaPreTrainedModel") is None
    assert head_family("tokenizer") is None


def test_unknown_names_and_releases(cat):
    assert cat.params("no_such_callable") == []
    assert cat.param("training_args", "no_such_name") is None
    assert cat.params("training_args", "3.0") == []  # before the catalogue
    assert cat.params("training_args", "99.0")  # after it: the newest


def test_files_are_canonical_json():
    """Determinism: every file is exactly the canonical dump of its content."""
    for path in sorted(CAT_DIR.rglob("*.json")):
        raw = path.read_bytes()
        data = json.loads(raw)
        again = (
            json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
        ).encode("utf-8")
        assert raw == again, path.name
        assert b'"/' not in raw, f"{path.name} holds an absolute path"  # no string starts with /


def test_every_shipped_file_reads_the_same_with_orjson():
    """The reader takes orjson where it is installed: each file gives the value `json` gives
    (no integer past 64 bits, which orjson would read as a float)."""
    orjson = pytest.importorskip("orjson")
    for path in sorted(CAT_DIR.parent.rglob("*.json")):
        raw = path.read_bytes()
        assert orjson.loads(raw) == json.loads(raw), path.name
        assert _read_json(raw) == json.loads(raw), path.name


def test_preloading_reads_a_file_a_step():
    """`preload_steps` (what the server runs in the moments after its answers) reads one file a
    step, and in all reads what `preload` reads."""
    keys = ("model", "tokenizer", "training_args", "no such callable")
    stepwise, at_once = Catalogue(), Catalogue()

    def files() -> int:  # files read (`#` keys are what was made of one)
        return sum(not name.startswith("#") for name in stepwise._files)

    read = [files()]
    for _ in stepwise.preload_steps(keys):
        read.append(files())
    assert all(b - a <= 1 for a, b in zip(read, read[1:], strict=False)), read
    at_once.preload(keys)
    assert sorted(stepwise._files) == sorted(at_once._files)
    assert "transformers/model.json" in stepwise._files


def test_loading_is_lazy():
    """A question reads the index, its package's release axis and its own callable's file;
    nothing else (speed itself is the benchmark's business)."""
    code = (
        "from transformers_glossary_ls.catalogue import Catalogue\n"
        "c = Catalogue()\n"
        "c.params('training_args')\n"
        "print(sorted(c._files))\n"
        "c.params('model:ForCausalLM'); c.params('AutoModelForCausalLM')\n"
        "assert 'transformers-models.json' not in c._files, 'models file read too early'\n"
        "c.params('LlamaForCausalLM')\n"
        "assert '#models-bytes' in c._files  # read, and only that class decoded\n"
        "assert 'transformers-models.json' not in c._files\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == str(
        ["index.json", "transformers/meta.json", "transformers/training_args.json"]
    )


def test_no_io_at_import():
    """Importing the module and creating a reader opens no file; the first question does."""
    code = (
        "import builtins, io\n"
        "import transformers_glossary_ls\n"
        "opened = []\n"
        "real = io.open\n"
        "def spy(*a, **k):\n"
        "    opened.append(str(a[0]))\n"
        "    return real(*a, **k)\n"
        "builtins.open = io.open = spy\n"
        "from transformers_glossary_ls import catalogue\n"
        "c = catalogue.Catalogue()\n"
        "print(sum('catalogue' in p for p in opened), len(c._files))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["0", "0"]


def test_a_model_class_is_found_without_parsing_the_class_file():
    """Read from the file's bytes before it is parsed: the same answer for every class."""
    parsed = Catalogue()
    classes = parsed._models()["classes"]
    raw = Catalogue()
    for name in [*sorted(classes)[::7], "Data2VecTextModel", "LlamaForCausalLM"]:
        assert raw.model_dir(name) == classes[name]["dir"] == parsed.model_dir(name), name
        assert raw._model_record(name) == classes[name], name
        assert raw.params(name) == parsed.params(name), name
    assert raw._model_part("facts") == parsed._models()["facts"]
    assert raw._model_part("path") == parsed._models()["path"]
    for name in ["Nope", "input_ids", "dir", "", 'x"y', "AutoModel"]:
        assert raw.model_dir(name) is None and not raw.is_model_class(name), name
    assert "transformers-models.json" not in raw._files  # never parsed


@pytest.mark.parametrize("release", [None, "4.40", "4.55", "5.0"], ids=str)
def test_what_an_origin_adds_is_what_the_model_names_from_it_are(cat, release):
    """`added_in` reads the origins from the raw facts instead of building every model name:
    the same names as filtering `params("model")` by origin, with no name built."""
    fresh = Catalogue()
    built = []
    real_make = fresh._make
    fresh._make = lambda *a: built.append(a[2]) or real_make(*a)
    found = fresh.added_in(release)
    assert built == []
    origins = {p.origin for p in cat.params("model", release) if p.origin}
    assert set(found) == origins
    assert origins or release == "4.40"  # before `**kwargs: Unpack[...]` and its decorators
    for origin in origins:
        assert found[origin] == {p.name for p in cat.params("model", release) if p.origin == origin}


def test_what_origins_add_is_worked_out_a_few_hundred_names_a_step():
    fresh = Catalogue()
    steps = list(fresh.added_steps("5.0", names=50))
    assert len(steps) >= len(fresh.params("model", "5.0")) // 50 > 3
    assert list(fresh.added_steps("5.0")) == []  # known: nothing to do
    assert fresh.added_in("5.0") == Catalogue().added_in("5.0")


def _every_name_read(cat: Catalogue) -> set[str]:
    """Every name the reader gives for any callable or model class, in any release."""
    seen: set[str] = set()
    for package in cat.packages():
        releases = cat.releases(package)
        keys = [k for k in json.loads((cat.directory / "index.json").read_text())["keys"]]
        for key in keys:
            if cat.package_of(key) != package:
                continue
            for release in releases:
                seen.update(p.name for p in cat.iter_params(key, release))
    models = json.loads((cat.directory / "transformers-models.json").read_text())
    for name in models["classes"]:
        seen.update(p.name for p in cat.iter_params(name))
    return seen


def test_the_names_file_holds_every_name_the_catalogue_gives(cat):
    """`names.json` rules a name out (`window = ...` is no keyword): it must hold every name
    any callable or model class takes in any release, or a keyword would go unexplained."""
    every = _every_name_read(cat)
    assert len(every) > 1000
    missing = sorted(n for n in every if not cat.may_name(n))
    assert not missing, missing[:20]
    assert not cat.may_name("window") and not cat.may_name("SECTION_1_ENABLED")


def test_without_a_names_file_no_name_is_ruled_out(tmp_path):
    (tmp_path / "index.json").write_text('{"keys": {}, "packages": {}}')
    assert Catalogue(tmp_path).may_name("window")
    (tmp_path / "names.json").write_text("[not json")
    assert Catalogue(tmp_path).may_name("window")
    (tmp_path / "names.json").write_text('{"names": ["labels"]}')
    assert Catalogue(tmp_path).may_name("labels") and not Catalogue(tmp_path).may_name("window")
