"""The kinds of call and of value the engine knows, declared once.

A *call kind* says what a call does with its keywords (a model's forward, a tokenizer call,
`generate()`, ...); vocabulary entries list the call kinds that take them. A *value kind* says
what a variable holds (a model, a model's outputs, a config), learned from how it was assigned.
"""

from __future__ import annotations

# The packages whose classes and functions these kinds are about (imported from elsewhere, a
# name is not theirs).
LIBRARIES = ("transformers", "trl", "peft")

# Call kinds: the `callables` of vocabulary entries.
MODEL = "model"
TOKENIZER = "tokenizer"
PROCESSOR = "processor"
IMAGE_PROCESSOR = "image_processor"
FEATURE_EXTRACTOR = "feature_extractor"
GENERATE = "generate"
TRAINING_ARGS = "training_args"
FROM_PRETRAINED = "from_pretrained"

CALL_KINDS = (
    MODEL,
    TOKENIZER,
    PROCESSOR,
    IMAGE_PROCESSOR,
    FEATURE_EXTRACTOR,
    GENERATE,
    TRAINING_ARGS,
    FROM_PRETRAINED,
)

# Value kinds beyond the callables above: what calling one of them returns, or an attribute.
MODEL_OUTPUT = "model_output"  # `outputs = model(...)`
ENCODING = "encoding"  # `batch = tokenizer(...)`
CONFIG = "config"  # `model.config`, `AutoConfig.from_pretrained(...)`

# What calling a value of one kind returns.
RESULT_OF_CALL = {
    MODEL: MODEL_OUTPUT,
    TOKENIZER: ENCODING,
    PROCESSOR: ENCODING,
    IMAGE_PROCESSOR: ENCODING,
    FEATURE_EXTRACTOR: ENCODING,
}

# Methods whose keywords are those of a call kind: (kind of the receiver, method) -> call kind.
# The catalogue's `tokenizer` callable is `__call__`, `encode`, `pad`, `encode_plus` and
# `batch_encode_plus` together.
METHODS = {
    (TOKENIZER, "encode"): TOKENIZER,
    (TOKENIZER, "pad"): TOKENIZER,
    (TOKENIZER, "encode_plus"): TOKENIZER,
    (TOKENIZER, "batch_encode_plus"): TOKENIZER,
}

# What an attribute of a value of one kind holds: (kind of owner, attribute) -> kind.
ATTRIBUTES = {
    (MODEL, "config"): CONFIG,
    (MODEL, "generation_config"): GENERATE,
    (PROCESSOR, "tokenizer"): TOKENIZER,
    (PROCESSOR, "image_processor"): IMAGE_PROCESSOR,
    (PROCESSOR, "feature_extractor"): FEATURE_EXTRACTOR,
}


def kind_of_class(name: str) -> str | None:
    """The kind of object a class (or factory) name makes: `AutoTokenizer` -> tokenizer."""
    last = name.split(".")[-1]
    if "TrainingArguments" in last:
        return TRAINING_ARGS
    if last == "GenerationConfig":
        return GENERATE  # its constructor takes generate()'s keywords
    for marker, kind in (
        ("ImageProcessor", IMAGE_PROCESSOR),
        ("FeatureExtractor", FEATURE_EXTRACTOR),
        ("Processor", PROCESSOR),
        ("Tokenizer", TOKENIZER),
    ):
        if marker in last:
            return kind
    if last.endswith("Config"):
        return CONFIG
    if "Model" in last or "For" in last or last.startswith("Auto"):
        return MODEL
    return None


def kind_of_name(name: str) -> str | None:
    """A guess from a variable's own name, for when its assignment is not in view."""
    low = name.split(".")[-1].lower()
    if "tokenizer" in low or low in ("tok", "tknzr"):
        return TOKENIZER
    if "image_processor" in low:
        return IMAGE_PROCESSOR
    if "feature_extractor" in low:
        return FEATURE_EXTRACTOR
    if "processor" in low:
        return PROCESSOR
    if "model" in low:
        return MODEL
    if low in ("args", "training_args"):
        return TRAINING_ARGS
    return None


def class_of(expression: str) -> str:
    """The class in `Cls.from_pretrained` / `Cls` / `transformers.Cls.from_pretrained`."""
    parts = [p for p in expression.split(".") if p[:1].isupper()]
    return parts[-1] if parts else expression.split(".")[-1]
