"""The catalogue generator on a small sample of real wheels (the wheels are the oracle).

Runs tools/build_catalogue.py on transformers 4.40, 4.51 and the newest shipped minor, plus the
newest trl and peft, into a temporary directory. Missing wheels are pip-downloaded into the
wheel cache (`TGLS_WHEEL_CACHE`, default ~/.cache/transformers-glossary-ls/wheels): CI has PyPI
access. Offline and without cached wheels the test is skipped, except under CI where it fails.
Deselect with `-m "not wheels"`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from transformers_glossary_ls.catalogue import (
    DEPRECATED,
    NOT_YET,
    OK,
    REMOVED,
    Catalogue,
    default_catalogue_dir,
    read_package,
)

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "build_catalogue.py"

pytestmark = pytest.mark.wheels

SHIPPED = Catalogue(default_catalogue_dir())
SAMPLE = {
    "transformers": ["4.40", "4.51", SHIPPED.newest("transformers")],
    "trl": [SHIPPED.newest("trl")],
    "peft": [SHIPPED.newest("peft")],
}


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(TOOL), *args], capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("catalogue")
    # --download fetches only the minors missing from the cache, so a warm cache needs no network.
    res = _run(
        "--download",
        "--out",
        str(out),
        "--versions",
        ",".join(SAMPLE["transformers"]),
        "--trl-versions",
        ",".join(SAMPLE["trl"]),
        "--peft-versions",
        ",".join(SAMPLE["peft"]),
    )
    if res.returncode != 0 and "pip" in res.stderr and not os.environ.get("CI"):
        pytest.skip(f"wheels not cached and not downloadable: {res.stderr[-300:]}")
    assert res.returncode == 0, res.stderr[-3000:]
    return out


def test_the_wheels_say(generated):
    cat = Catalogue(generated)
    assert cat.releases("transformers") == SAMPLE["transformers"]
    ev = cat.param("training_args", "evaluation_strategy", "4.40")
    assert ev.status("4.40") == OK
    assert ev.status("4.51") == REMOVED
    assert cat.param("training_args", "eval_strategy").status("4.40") == NOT_YET
    assert cat.param("training_args", "eval_strategy").status("4.51") == OK
    newest = SAMPLE["transformers"][-1]
    dtype = cat.param("from_pretrained", "dtype")
    assert dtype.status("4.51") == NOT_YET and dtype.status(newest) == OK
    assert dtype.effective_default == "'auto'"
    oa = cat.param("LlamaForCausalLM", "output_attentions", newest)
    assert oa is not None and oa.status(newest) == OK and oa.origin == "TransformersKwargs"
    pkv = cat.param("model:ForCausalLM", "past_key_values", newest)
    assert pkv.status(newest) == DEPRECATED and pkv.replacement == "cache"
    assert cat.param("model:ForCausalLM", "cache", newest).status("4.51") == NOT_YET
    assert cat.param("trainer", "tokenizer").status(newest) == REMOVED
    assert cat.param("trainer", "tokenizer").status("4.51") == DEPRECATED
    # report_to: the release's integrations, "all" and "none"
    old_reporters = cat.param("training_args", "report_to", "4.40").choices
    new_reporters = cat.param("training_args", "report_to", newest).choices
    assert {'"all"', '"none"', '"wandb"'} <= set(old_reporters) & set(new_reporters)
    assert '"trackio"' in new_reporters and '"trackio"' not in old_reporters
    # torch_dtype in 5.x from_pretrained is only dtype's fallback: deprecated for it
    torch_dtype = cat.param("from_pretrained", "torch_dtype", newest)
    assert torch_dtype.status(newest) == DEPRECATED and torch_dtype.replacement == "dtype"
    assert torch_dtype.status("4.40") == OK
    # generate() pops these in a helper it hands its kwargs to (4.57 on)
    for name in ("tokenizer", "assistant_tokenizer"):
        assert cat.param("generate", name, newest).status(newest) == OK, name


def test_auto_keywords_dropped_pops_and_passing_deprecations(generated):
    """Issue 11's last generator gaps, read from the real wheels: the Auto classes' own
    from_pretrained keywords, `_ = kwargs.pop("x", None)`, "Passing `x` directly to ...
    is deprecated"."""
    cat = Catalogue(generated)
    newest = SAMPLE["transformers"][-1]
    # AutoTokenizer pops use_fast itself (4.x: default True); 5.x pops it into `_`.
    use_fast = cat.param("from_pretrained:AutoTokenizer", "use_fast", "4.40")
    assert use_fast.status("4.40") == OK and use_fast.default == "True" and not use_fast.ignored
    assert cat.param("from_pretrained:AutoTokenizer", "use_fast", newest).ignored
    assert cat.param("from_pretrained:AutoTokenizer", "tokenizer_type", newest).status() == OK
    # 4.40 drops code_revision only after handing kwargs to the remote class: not ignored.
    assert not cat.param("from_pretrained:AutoTokenizer", "code_revision", "4.40").ignored
    # What the tokenizer's own from_pretrained takes answers through the base.
    cache_dir = cat.param("from_pretrained:AutoTokenizer", "cache_dir", newest)
    assert cache_dir.callable == "from_pretrained:tokenizer" and cache_dir.status() == OK
    assert "use_fast" in {p.name for p in cat.params("from_pretrained", newest)}
    for auto in ("AutoConfig", "AutoProcessor", "AutoImageProcessor", "AutoFeatureExtractor"):
        assert cat.param(f"from_pretrained:{auto}", "trust_remote_code", newest), auto
    # AutoModel*: torch_dtype keeps the model's own facts (deprecated for dtype).
    torch_dtype = cat.param("from_pretrained:AutoModel", "torch_dtype", newest)
    assert torch_dtype.status(newest) == DEPRECATED and torch_dtype.replacement == "dtype"
    # 5.x AutoImageProcessor hands use_fast to a helper that warns it is deprecated.
    image_fast = cat.param("from_pretrained:AutoImageProcessor", "use_fast", newest)
    assert image_fast.status(newest) == DEPRECATED and image_fast.replacement == "backend"
    # "Passing `tp_plan` directly to `from_pretrained` is deprecated" (5.16 on).
    tp_plan = cat.param("from_pretrained:model", "tp_plan", newest)
    assert tp_plan.status(newest) == DEPRECATED and tp_plan.replacement == "distributed_config"
    assert tp_plan.status("4.51") == OK


def test_generation_is_deterministic(generated, tmp_path):
    args = [
        "--out",
        str(tmp_path),
        "--packages",
        "trl,peft",
        "--trl-versions",
        ",".join(SAMPLE["trl"]),
        "--peft-versions",
        ",".join(SAMPLE["peft"]),
    ]
    assert _run(*args).returncode == 0
    for package in ("trl", "peft"):
        for path in sorted((generated / package).glob("*.json")):
            again = tmp_path / package / path.name
            assert again.read_bytes() == path.read_bytes(), path


def _facts_at(data: dict, idx: int) -> dict:
    out = {}
    for key, entry in data["callables"].items():
        for name, runs in entry["params"].items():
            for a, b, facts in runs:
                if a <= idx <= b:
                    out[(key, name)] = facts
    return out


@pytest.mark.parametrize("package", ["transformers", "trl", "peft"])
def test_shipped_catalogue_agrees_with_the_wheels(generated, package):
    fresh = read_package(generated, package)
    shipped = read_package(default_catalogue_dir(), package)
    for i, release in enumerate(fresh["releases"]):
        j = shipped["releases"].index(release)
        assert shipped["wheels"][j] == fresh["wheels"][i]
        want, have = _facts_at(fresh, i), _facts_at(shipped, j)
        missing = sorted(set(want) - set(have))[:10]
        extra = sorted(set(have) - set(want))[:10]
        assert not missing and not extra, (release, missing, extra)
        diff = [k for k in want if want[k] != have[k]][:10]
        assert not diff, (release, [(k, want[k], have[k]) for k in diff])
    fresh_names = set(json.loads((generated / "names.json").read_text())["names"])
    for key in fresh["callables"]:
        for release in fresh["releases"]:
            taken = {p.name for p in Catalogue(generated).iter_params(key, release)}
            assert taken <= fresh_names, (key, release, sorted(taken - fresh_names)[:5])
    if package == "transformers":
        fm = json.loads((generated / "transformers-models.json").read_text(encoding="utf-8"))
        sm = json.loads(
            (default_catalogue_dir() / "transformers-models.json").read_text(encoding="utf-8")
        )
        assert fm == sm
