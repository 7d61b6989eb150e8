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
            "Passing `tp_plan` directly to `from_pretrained` is deprecated (removed in v5.18)."
            " Pass it in `distributed_config=DistributedConfig(...)` instead."
        ],
        {"tp_plan", "distributed_config", "from_pretrained"},
    )
    assert found == {"tp_plan": {"r": "5.18", "n": "distributed_config"}}


def test_passing_x_to_a_config_initialization_is_a_deprecation_of_x():
    found = build.parse_deprecations(
        ["Passing `gradient_checkpointing` to a config is deprecated (removed in v5)."],
        {"gradient_checkpointing"},
    )
    assert found == {"gradient_checkpointing": {"r": "5", "n": None}}


def test_passing_a_value_or_passing_it_elsewhere_is_not_a_deprecation_of_the_name():
    texts = [
        "Passing `fsdp` as a string is deprecated.",
        "Passing `load_audio_from_video` in `videos_kwargs` is deprecated. Pass it directly.",
    ]
    assert build.parse_deprecations(texts, {"fsdp", "load_audio_from_video"}) == {}


def test_the_warning_in_a_function_body_marks_the_keyword(tmp_path):
    fn = _fn(
        """
        def from_pretrained(cls, name, *args, distributed_config=None, **kwargs):
            tp_plan = kwargs.pop("tp_plan", None)
            if tp_plan is not None:
                warnings.warn(
                    "Passing `tp_plan` directly to `from_pretrained` is deprecated "
                    "(removed in v5.18). "
                    "Pass it in `distributed_config=DistributedConfig(...)` instead.",
                    FutureWarning,
                )
        """
    )
    wheel = _wheel(tmp_path, {"modeling_utils.py": "x = 1\n"})
    params = build.function_callable(wheel, "transformers/modeling_utils.py", fn)
    assert params["tp_plan"]["x"] == {"r": "5.18", "n": "distributed_config"}
    assert "x" not in params["distributed_config"]


# -- Auto classes' own `from_pretrained` keywords

_BASE = {
    "tokenization_utils_base.py": """
        class PreTrainedTokenizerBase:
            @classmethod
            def from_pretrained(cls, pretrained_model_name_or_path, *init_inputs,
                                cache_dir=None, trust_remote_code=False, **kwargs):
                proxies = kwargs.pop("proxies", None)
        """,
    "modeling_utils.py": """
        class PreTrainedModel:
            @classmethod
            def from_pretrained(cls, pretrained_model_name_or_path, *model_args, config=None,
                                **kwargs):
                torch_dtype = kwargs.pop("torch_dtype", None)
                trust_remote_code = kwargs.pop("trust_remote_code", None)
        """,
    "models/auto/auto_factory.py": """
        class _BaseAutoModelClass:
            @classmethod
            def from_pretrained(cls, pretrained_model_name_or_path, *model_args, **kwargs):
                config = kwargs.pop("config", None)
                trust_remote_code = kwargs.get("trust_remote_code")
                code_revision = kwargs.pop("code_revision", None)
                if kwargs.get("torch_dtype") == "auto":
                    _ = kwargs.pop("torch_dtype")
        """,
}


def test_auto_tokenizer_keywords_are_a_callable_over_the_tokenizer_s(tmp_path):
    wheel = _wheel(
        tmp_path,
        {
            **_BASE,
            "models/auto/tokenization_auto.py": """
                class AutoTokenizer:
                    @classmethod
                    def from_pretrained(cls, pretrained_model_name_or_path, *inputs, **kwargs):
                        config = kwargs.pop("config", None)
                        _ = kwargs.pop("use_fast", None)
                        tokenizer_type = kwargs.pop("tokenizer_type", None)
                        trust_remote_code = kwargs.pop("trust_remote_code", None)
                        revision = kwargs.get("revision")
                """,
        },
    )
    out = build.extract_transformers(wheel)["callables"]
    auto = out["from_pretrained:AutoTokenizer"]
    assert auto["base"] == ["from_pretrained:tokenizer"]
    assert auto["path"] == "model_doc/auto#transformers.AutoTokenizer.from_pretrained"
    # What the tokenizer's own from_pretrained takes (trust_remote_code) answers from there.
    assert auto["params"] == {
        "config": {"k": "kwargs", "d": "None"},
        "use_fast": {"k": "ignored", "d": "None"},
        "tokenizer_type": {"k": "kwargs", "d": "None"},
        "revision": {"k": "kwargs"},
    }
    assert {"use_fast", "tokenizer_type"} <= set(out["from_pretrained"]["params"])
    # Every AutoModel* shares _BaseAutoModelClass; the model's own facts stay with the model.
    model = out["from_pretrained:AutoModel"]
    assert model["base"] == ["from_pretrained:model"]
    assert model["params"] == {"code_revision": {"k": "kwargs", "d": "None"}}


def test_a_deprecation_warned_by_a_helper_the_auto_class_hands_the_keyword_to(tmp_path):
    wheel = _wheel(
        tmp_path,
        {
            **_BASE,
            "models/auto/tokenization_auto.py": """
                class AutoTokenizer:
                    @classmethod
                    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
                        _ = kwargs.pop("use_fast", None)
                """,
            "models/auto/image_processing_auto.py": """
                def _resolve_backend(backend, use_fast, base_class_name):
                    if use_fast is not None:
                        logger.warning_once(
                            'The `use_fast` parameter is deprecated. Use `backend="pil"`.'
                        )

                def _unrelated(size):
                    logger.warning("The `size` parameter is deprecated.")

                class AutoImageProcessor:
                    @classmethod
                    def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
                        use_fast = kwargs.pop("use_fast", None)
                        backend = kwargs.pop("backend", None)
                        size = kwargs.pop("size", None)
                        backend = _resolve_backend(backend, use_fast, None)
                        _unrelated(size=3)
                """,
        },
    )
    out = build.extract_transformers(wheel)["callables"]
    params = out["from_pretrained:AutoImageProcessor"]["params"]
    assert params["use_fast"]["x"] == {"r": None, "n": "backend"}
    assert "x" not in params["backend"] and "x" not in params["size"]
    # The union reads an Auto class's name as the first Auto class that takes it says.
    assert out["from_pretrained"]["params"]["use_fast"] == {"k": "ignored", "d": "None"}


def test_a_keyword_the_model_drops_but_the_auto_class_reads_is_the_auto_class_s(tmp_path):
    """4.50's `PreTrainedModel.from_pretrained` drops `trust_remote_code`, which
    `_BaseAutoModelClass.from_pretrained` reads: not ignored for `AutoModel*`, nor in the union."""
    wheel = _wheel(
        tmp_path,
        {
            **_BASE,
            "modeling_utils.py": """
                class PreTrainedModel:
                    @classmethod
                    def from_pretrained(cls, pretrained_model_name_or_path, config=None,
                                        **kwargs):
                        _ = kwargs.pop("trust_remote_code", None)
                        _ = kwargs.pop("mirror", None)
                """,
        },
    )
    out = build.extract_transformers(wheel)["callables"]
    assert out["from_pretrained:model"]["params"]["trust_remote_code"]["k"] == "ignored"
    assert out["from_pretrained:AutoModel"]["params"]["trust_remote_code"] == {"k": "kwargs"}
    assert out["from_pretrained"]["params"]["trust_remote_code"].get("k") != "ignored"
    assert out["from_pretrained"]["params"]["mirror"]["k"] == "ignored"
