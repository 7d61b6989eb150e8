"""Issue 11 §5's correctness samples, each read straight from the real wheels of the releases
around the change (pip-downloaded, never imported) with a small `ast` reading of its own, and
the shipped catalogue checked against that: announced removal versions are often wrong, the
wheels are the truth.

- `evaluation_strategy`: a TrainingArguments field in 4.40; from 4.41 its own deprecation
  warning; still a field in 4.50; gone from 4.51.
- `dtype`: a `from_pretrained` keyword from 4.56, not in 4.55.
- `cache`: takes over from `past_key_values` in model forwards (Llama) in 5.24.
- `use_fast`: AutoTokenizer's own keyword, popped in 4.x and thrown away (`_ = ...`) in 5.x.
- `tp_plan`: "Passing `tp_plan` directly to `from_pretrained` is deprecated" from 5.16.
"""

from __future__ import annotations

import ast
import zipfile

import pytest
from transformers_glossary_ls.catalogue import (
    DEPRECATED,
    NOT_YET,
    OK,
    REMOVED,
    default_catalogue,
)

from tests.wheels import wheel

pytestmark = pytest.mark.wheels

SHIPPED = default_catalogue()


def _tree(minor: str, path: str) -> ast.Module:
    with zipfile.ZipFile(wheel("transformers", minor)) as z:
        return ast.parse(z.read(f"transformers/{path}"))


def _class(tree: ast.Module, name: str) -> ast.ClassDef:
    return next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == name)


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef:
    return next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == name)


def _fields(cls: ast.ClassDef) -> set[str]:
    return {
        n.target.id
        for n in cls.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }


def _strings(tree: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def _warns_deprecated(tree: ast.AST, name: str) -> bool:
    """A message whose subject is the name itself (4.40 warns about `EvaluationStrategy` values
    *for* `evaluation_strategy`, which is not this)."""
    return any(s.startswith(f"`{name}` is deprecated") for s in _strings(tree))


def _taken(fn: ast.FunctionDef) -> set[str]:
    """Parameters, and the keys the body pops or gets from `kwargs`."""
    a = fn.args
    names = {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs}
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("pop", "get")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "kwargs"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


@pytest.mark.parametrize(
    "minor,field,warned,status",
    [
        ("4.40", True, False, OK),
        ("4.41", True, True, DEPRECATED),
        ("4.50", True, True, DEPRECATED),
        ("4.51", False, False, REMOVED),
    ],
)
def test_evaluation_strategy(minor, field, warned, status):
    tree = _tree(minor, "training_args.py")
    args = _class(tree, "TrainingArguments")
    assert ("evaluation_strategy" in _fields(args)) is field
    assert _warns_deprecated(args, "evaluation_strategy") is warned
    p = SHIPPED.param("training_args", "evaluation_strategy", minor)
    assert p.status(minor) == status
    assert p.replacement == "eval_strategy"


@pytest.mark.parametrize("minor,takes,status", [("4.55", False, NOT_YET), ("4.56", True, OK)])
def test_dtype_in_from_pretrained(minor, takes, status):
    fn = _method(_class(_tree(minor, "modeling_utils.py"), "PreTrainedModel"), "from_pretrained")
    assert ("dtype" in _taken(fn)) is takes
    assert "torch_dtype" in _taken(fn)  # the old name stays accepted on both sides
    assert SHIPPED.param("from_pretrained:model", "dtype", minor).status(minor) == status


@pytest.mark.parametrize(
    "minor,cache,old_status", [("5.23", False, OK), ("5.24", True, DEPRECATED)]
)
def test_cache_replaces_past_key_values(minor, cache, old_status):
    cls = _class(_tree(minor, "models/llama/modeling_llama.py"), "LlamaForCausalLM")
    forward = _method(cls, "forward")
    params = _taken(forward)
    assert ("cache" in params) is cache
    assert ("past_key_values" in params) is not cache
    renames = [
        [a.value for a in d.args if isinstance(a, ast.Constant)]
        + [k.value.value for k in d.keywords if isinstance(k.value, ast.Constant)]
        for d in forward.decorator_list
        if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "deprecate_kwarg"
    ]
    assert any("past_key_values" in r and "cache" in r for r in renames) is cache
    old = SHIPPED.param("model:ForCausalLM", "past_key_values", minor)
    assert old.status(minor) == old_status
    if cache:
        assert old.replacement == "cache" and old.deprecated_since == minor


def _auto_tokenizer_pop(minor: str) -> ast.stmt:
    """The statement of AutoTokenizer.from_pretrained's own body that pops `use_fast`."""
    cls = _class(_tree(minor, "models/auto/tokenization_auto.py"), "AutoTokenizer")
    return next(
        stmt
        for stmt in _method(cls, "from_pretrained").body
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Call)
        and getattr(stmt.value.func, "attr", "") == "pop"
        and "use_fast" in _strings(stmt.value)
    )


@pytest.mark.parametrize("minor,kept", [("4.40", True), ("5.25", False)])
def test_auto_tokenizer_use_fast(minor, kept):
    """4.x keeps `use_fast = kwargs.pop("use_fast", True)`; 5.x throws it into `_`."""
    stmt = _auto_tokenizer_pop(minor)
    assert (ast.unparse(stmt.targets[0]) == "use_fast") is kept
    p = SHIPPED.param("from_pretrained:AutoTokenizer", "use_fast", minor)
    assert p.status(minor) == OK
    assert p.ignored is not kept
    if kept:
        assert p.default == ast.unparse(stmt.value.args[1]) == "True"


@pytest.mark.parametrize(
    "minor,taken,warned,status", [("4.56", True, False, OK), ("5.16", True, True, DEPRECATED)]
)
def test_tp_plan_passed_directly_to_from_pretrained(minor, taken, warned, status):
    """From 5.16 `from_pretrained` warns "Passing `tp_plan` directly to ..." and points to
    `distributed_config`."""
    fn = _method(_class(_tree(minor, "modeling_utils.py"), "PreTrainedModel"), "from_pretrained")
    assert ("tp_plan" in _taken(fn)) is taken
    passing = [s for s in _strings(fn) if s.startswith("Passing `tp_plan` directly to")]
    assert bool(passing) is warned
    p = SHIPPED.param("from_pretrained:model", "tp_plan", minor)
    assert p.status(minor) == status
    if warned:
        assert p.deprecated_since == minor and p.replacement == "distributed_config"
