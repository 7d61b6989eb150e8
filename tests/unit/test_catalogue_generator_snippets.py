"""The catalogue generator's readings, each on a few lines of source (no wheel needed): what
`tools/build_catalogue.py` makes of the forms it meets in the wheels. The same forms in the real
wheels are checked in test_catalogue_generator.py and test_wheel_samples.py."""

from __future__ import annotations

import ast
import textwrap
import zipfile
from pathlib import Path

from tests.wheels import build


def _fn(source: str) -> ast.FunctionDef:
    tree = ast.parse(textwrap.dedent(source))
    return next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))


def _wheel(tmp_path: Path, files: dict[str, str]) -> build.Wheel:
    """A wheel holding only `files` (paths under `transformers/`), read as the real ones are."""
    path = tmp_path / "transformers-5.99.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr("transformers/" + name, textwrap.dedent(text))
    return build.Wheel(path, "transformers")


# -- `_ = kwargs.pop("x", None)`: accepted, no effect


def test_a_dropped_pop_is_an_ignored_keyword():
    fn = _fn(
        """
        def from_pretrained(cls, name, **kwargs):
            config = kwargs.pop("config", None)
            _ = kwargs.pop("use_fast", None)
            kwargs.pop("mirror", None)
            return load(name, config=config, **kwargs)
        """
    )
    assert build.dropped_pops(fn, "kwargs") == {"use_fast", "mirror"}
    params = build.function_callable(None, "m.py", fn)
    assert params["use_fast"] == {"k": "ignored", "d": "None"}
    assert params["mirror"] == {"k": "ignored", "d": "None"}
    assert params["config"] == {"k": "kwargs", "d": "None"}


def test_a_dropped_pop_is_not_ignored_where_the_name_is_read_or_handed_on_first():
    fn = _fn(
        """
        def from_pretrained(cls, name, **kwargs):
            if kwargs.get("torch_dtype") == "auto":
                pass
            _ = kwargs.pop("torch_dtype", None)
            cls_ = get_class(name, **kwargs)
            _ = kwargs.pop("code_revision", None)
            return cls_.from_pretrained(name, **kwargs)
        """
    )
    # torch_dtype is read before it is dropped; code_revision went to get_class first.
    assert build.dropped_pops(fn, "kwargs") == set()
    params = build.function_callable(None, "m.py", fn)
    assert params["torch_dtype"]["k"] == params["code_revision"]["k"] == "kwargs"


def test_a_dropped_pop_inside_a_branch_is_not_ignored():
    fn = _fn(
        """
        def from_pretrained(cls, name, **kwargs):
            if remote:
                _ = kwargs.pop("code_revision", None)
            return load(name, **kwargs)
        """
    )
    assert build.dropped_pops(fn, "kwargs") == set()


def test_the_loop_form_is_still_ignored():
    fn = _fn(
        """
        def from_pretrained(cls, name, **kwargs):
            for n in ("from_tf", "mirror"):
                _ = kwargs.pop(n, None)
        """
    )
    params = build.function_callable(None, "m.py", fn)
    assert params["from_tf"]["k"] == params["mirror"]["k"] == "ignored"
