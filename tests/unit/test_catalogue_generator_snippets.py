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


# -- "Passing `x` directly to ... is deprecated"


def test_passing_x_directly_to_a_call_is_a_deprecation_of_x():
    found = build.parse_deprecations(
        [
            "Passing `tp_plan` directly to `from_pretrained` is deprecated and will be removed"
            " in v5.18. Pass it in `distributed_config=DistributedConfig(tp_plan=...)` instead."
        ],
        {"tp_plan", "distributed_config", "from_pretrained"},
    )
    assert found == {"tp_plan": {"r": "5.18", "n": "distributed_config"}}


def test_passing_x_to_a_config_initialization_is_a_deprecation_of_x():
    found = build.parse_deprecations(
        ["Passing `gradient_checkpointing` to a config initialization is deprecated and will be"
         " removed in v5 Transformers."],
        {"gradient_checkpointing"},
    )
    assert found == {"gradient_checkpointing": {"r": "5", "n": None}}


def test_passing_a_value_or_passing_it_elsewhere_is_not_a_deprecation_of_the_name():
    texts = [
        "Passing `fsdp` as a string is deprecated and will be removed in v5.",
        "Passing `load_audio_from_video` in `videos_kwargs` is deprecated. Pass it directly"
        " to the processor instead.",
    ]
    assert build.parse_deprecations(texts, {"fsdp", "load_audio_from_video"}) == {}


def test_the_warning_in_a_function_body_marks_the_keyword(tmp_path):
    fn = _fn(
        """
        def from_pretrained(cls, name, *args, distributed_config=None, **kwargs):
            tp_plan = kwargs.pop("tp_plan", None)
            if tp_plan is not None:
                warnings.warn(
                    "Passing `tp_plan` directly to `from_pretrained` is deprecated and will be "
                    "removed in v5.18. "
                    "Pass it in `distributed_config=DistributedConfig(tp_plan=...)` instead.",
                    FutureWarning,
                )
        """
    )
    wheel = _wheel(tmp_path, {"modeling_utils.py": "x = 1\n"})
    params = build.function_callable(wheel, "transformers/modeling_utils.py", fn)
    assert params["tp_plan"]["x"] == {"r": "5.18", "n": "distributed_config"}
    assert "x" not in params["distributed_config"]
