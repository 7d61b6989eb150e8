"""The coverage report: the README's table is what `tools/coverage.py` prints for the shipped
catalogue, and coverage does not fall below what this round reached."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from transformers_glossary_ls.catalogue import default_catalogue

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("coverage_tool", REPO / "tools" / "coverage.py")
coverage = importlib.util.module_from_spec(_spec)
sys.modules["coverage_tool"] = coverage  # its dataclasses look themselves up there
_spec.loader.exec_module(coverage)

# Lowest share documented per callable (newest release): everything, tensor shapes included
# (from the wheels or glossary_data/shapes.json).
FLOORS: dict[str, float] = {}
DEFAULT_FLOOR = 1.0


@pytest.fixture(scope="module")
def rows():
    return coverage.rows(default_catalogue(), None)


def test_readme_table_is_the_tools_output(rows):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert coverage.table(rows) in readme, "rerun tools/coverage.py and paste its table"


def test_every_reported_callable_is_there(rows):
    assert {r.key for r in rows} == set(coverage.REPORTED)


@pytest.mark.parametrize("key", coverage.REPORTED)
def test_coverage_floor(rows, key):
    (row,) = [r for r in rows if r.key == key]
    assert row.ranged == row.names  # every name's releases come from the wheels
    assert row.documented >= FLOORS.get(key, DEFAULT_FLOOR), (row.tensors_shaped, row.tensors)
    assert row.tensors_shaped == row.tensors


def test_callables_and_tensors_are_told_apart():
    class P:
        def __init__(self, type_, dtype):
            self.type, self.dtype = type_, dtype

    assert coverage.is_tensor(P("torch.LongTensor | None", "torch.LongTensor"))
    # A function taking tensors, or a choice of tensor type, is not a tensor input.
    assert not coverage.is_tensor(P("Callable[[int, torch.Tensor], list[int]] | None", None))
    assert not coverage.is_tensor(P("str | TensorType | None", None))
