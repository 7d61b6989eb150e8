"""Our shapes (glossary_data/shapes.json) for tensors whose docstrings in the wheels state none.

The file is ours: shapes and dtypes read from the model code of the newest release. These tests
keep it honest against the shipped catalogue (every name and class it speaks of exists and takes
a tensor there; the wheels' own facts always win), and sample what a user then sees on hover."""

from __future__ import annotations

import json

import pytest
from transformers_glossary_ls.catalogue import Catalogue, default_catalogue, default_catalogue_dir
from transformers_glossary_ls.engine import Glossary

from .conftest import cursor_of

SHAPES = json.loads((default_catalogue_dir().parent / "shapes.json").read_text(encoding="utf-8"))
CAT = default_catalogue()
NEWEST = CAT.newest("transformers")
MODELS = json.loads((default_catalogue_dir() / "transformers-models.json").read_bytes())
KINDS = ("model", "model_output", "generate")


def entries():
    for kind in KINDS:
        for name, entry in sorted(SHAPES[kind].items()):
            yield kind, name, entry


def test_only_known_groups_and_fields():
    assert set(SHAPES) == {"about", "read_from", *KINDS}
    assert SHAPES["read_from"] == f"transformers {CAT.wheel_version('transformers', NEWEST)}"
    for _kind, name, entry in entries():
        assert set(entry) <= {"shape", "dtype", "note", "classes"}, name
        assert entry["shape"] and entry["dtype"], name
        for cls, mine in entry.get("classes", {}).items():
            assert set(mine) <= {"shape", "dtype", "note"} and mine, (name, cls)


@pytest.mark.parametrize("kind,name", [(k, n) for k, n, _ in entries()])
def test_every_entry_names_a_tensor_the_newest_release_has(kind, name):
    p = CAT.param(kind, name)
    assert p is not None and p.status(NEWEST) == "ok", name
    assert p.dtype, f"{name}: the wheels do not type it as a tensor"


def test_every_class_named_takes_the_name():
    for kind, name, entry in entries():
        for cls in entry.get("classes", {}):
            if kind == "model":
                record = MODELS["classes"].get(cls)
                assert record is not None and name in record["params"], (name, cls)
            else:
                assert name in {p.name for p in CAT.params(cls)}, (name, cls)


def test_the_wheels_facts_win():
    # The wheels document `noise` for ViTMAE and Hiera; our entry speaks for PI0/PI05 only.
    assert CAT.param("ViTMAEModel", "noise").shape == "(batch_size, sequence_length)"
    assert CAT.param("HieraModel", "noise").shape == "(batch_size, num_mask_units)"
    assert CAT.param("PI0ForConditionalGeneration", "noise").shape == (
        "(batch_size, chunk_size, max_action_dim)"
    )
    # A specific dtype from an annotation stays; ours replaces only a bare torch.Tensor.
    assert CAT.param("model", "seq_idx").dtype == "torch.IntTensor"
    assert CAT.param("MoshiForConditionalGeneration", "moshi_audio_codes").dtype == (
        "torch.LongTensor"
    )


def test_a_catalogue_elsewhere_has_no_overlay(tmp_path):
    # The generator's output is checked against the wheels alone.
    bare = Catalogue(default_catalogue_dir(), shapes=tmp_path / "none.json")
    assert bare.param("model_output", "aux_loss").shape is None
    assert CAT.param("model_output", "aux_loss").shape == "() (a scalar)"


def test_shapes_that_differ_by_model_say_so():
    shape = CAT.param("model_output", "router_logits").shape
    assert "(batch_size * sequence_length, num_experts)" in shape
    assert "(batch_size, sequence_length, num_experts)" in shape and "Switch" in shape
    assert (
        CAT.param("PI0Model", "action_embeds").shape == "(batch_size, chunk_size + 1, hidden_size)"
    )
    assert CAT.param("PI05Model", "action_embeds").shape == "(batch_size, chunk_size, hidden_size)"


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    g = Glossary()
    g.load()
    return g


def hover(glossary: Glossary, marked: str) -> str:
    text, line, index = cursor_of(marked)
    answer = glossary.hover(Glossary.open("file:///f.py", text, "python"), line, index, False)
    assert answer is not None, marked
    return answer.text


CAUSAL = (
    "from transformers import AutoModelForCausalLM\n"
    "model = AutoModelForCausalLM.from_pretrained('x')\n"
)

# (id, code with the cursor on the name, lines the hover must hold)
HOVERS = [
    (
        "a concrete class's audio codes",
        "from transformers import MoshiForConditionalGeneration\n"
        "m = MoshiForConditionalGeneration.from_pretrained('kyutai/moshiko-pytorch-bf16')\n"
        "m(input_ids=i, moshi_audio_co‸des=codes)",
        ["Shape: (batch_size, num_codebooks, sequence_length)", "Dtype: torch.LongTensor"],
    ),
    (
        "a packed-batch keyword through **kwargs",
        CAUSAL + "model(input_ids=i, cu_seq_lens‸_q=cu)",
        ["Shape: (num_sequences + 1,)", "int32"],
    ),
    (
        "a scalar loss of an MoE output",
        CAUSAL + "out = model(**batch)\nout.aux_lo‸ss",
        ["(ModelOutput) aux_loss", "Shape: () (a scalar)", "Dtype: torch.FloatTensor"],
    ),
    (
        "per-layer router logits, per model",
        CAUSAL + "out = model(**batch)\nout.router_log‸its",
        ["(batch_size * sequence_length, num_experts)", "Switch Transformers"],
    ),
    (
        "our entry's words keep the shape we read",
        CAUSAL + "model(input_ids=i, logits_to_k‸eep=1)",
        ["Shape: int, or 1-D", "How many final positions get LM-head logits"],
    ),
    (
        "generate()'s inputs",
        CAUSAL + "model.generate(inpu‸ts=prompt_ids)",
        ["Shape: depends on the model: token ids (batch_size, sequence_length)"],
    ),
]


@pytest.mark.parametrize("code,musts", [pytest.param(*h[1:], id=h[0]) for h in HOVERS])
def test_hover_shows_our_shapes(glossary, code, musts):
    text = hover(glossary, code)
    for must in musts:
        assert must in text, text
