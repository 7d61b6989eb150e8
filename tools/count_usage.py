#!/usr/bin/env python3
"""Count how often real user code passes each keyword name to each kind of Transformers call.

Reads Python files, Jupyter notebooks (code cells) and the ```py / ```python code blocks of
Markdown/MDX files from source folders or bare git directories, parses them with `ast` (nothing is
imported or run) and writes `{"schema", "sources", "counts"}` with, per call kind, how many calls
pass each keyword name. The completion ranks names by these counts.

    python tools/count_usage.py --out glossary_data/usage.json \
        ../snapshots/huggingface+trl/repo:examples,docs ...

A source is `[OWNER/NAME@]PATH[:PREFIX,PREFIX...]`: a folder or a bare git directory (its HEAD is
read), optionally restricted to some folders. Without a name, `owner+name/repo` mirror folders
give `owner/name`, other folders their own name. Library code, model implementations, tests and
translations are skipped (see `skip_path`). See glossary_data/README.md ("Usage counts").
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import subprocess
import sys
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

SCHEMA = 1
MIN_COUNT = 2

# ---------------------------------------------------------------- which files are user code

LOCALES = {
    "ar",
    "bn",
    "de",
    "es",
    "fa",
    "fr",
    "gj",
    "he",
    "hi",
    "id",
    "it",
    "ja",
    "ko",
    "my",
    "ne",
    "pl",
    "pt",
    "pt-br",
    "ro",
    "rum",
    "ru",
    "te",
    "th",
    "tr",
    "uk",
    "vi",
    "zh",
    "zh-cn",
    "zh-tw",
}
SKIP_DIRS = {
    "tests",
    "test",
    "testing",
    "models",
    "src",
    "docker",
    ".github",
    ".git",
    "node_modules",
    "__pycache__",
    "site-packages",
    "build",
    "dist",
    ".ipynb_checkpoints",
}
SKIP_FILE = re.compile(
    r"^(?:modeling_.*|modular_.*|configuration_.*|tokenization_.*|test_.*|.*_test|conftest|setup"
    r"|__init__)\.py$"
)
SUFFIXES = (".py", ".md", ".mdx", ".ipynb")


def skip_path(rel: str, packages: set[str]) -> bool:
    """True for files that are not user-facing code (`rel` is relative to the source prefix)."""
    parts = rel.split("/")
    name = parts[-1]
    if not name.endswith(SUFFIXES) or SKIP_FILE.match(name):
        return True
    dirs = parts[:-1]
    if any(d in SKIP_DIRS or d.lower() in LOCALES for d in dirs):
        return True
    # A top-level Python package (a folder with __init__.py) is library code, not an example.
    return bool(dirs) and dirs[0] in packages


# ---------------------------------------------------------------- reading sources


class Source:
    def __init__(self, spec: str) -> None:
        name = None
        if "@" in spec.split(":", 1)[0]:
            name, spec = spec.split("@", 1)
        path, _, prefixes = spec.partition(":")
        self.path = Path(path)
        self.prefixes = [p.strip("/") for p in prefixes.split(",") if p.strip("/")]
        self.bare = (self.path / "HEAD").is_file() and (self.path / "objects").is_dir()
        if name is None:
            base = self.path.name
            if base in ("repo", ".git"):
                base = self.path.parent.name
            name = base.replace("+", "/", 1)
        self.name = name
        self.commit = self._commit()

    def _git(self, *args: str, data: bytes | None = None) -> bytes:
        flag = ["--git-dir", str(self.path)] if self.bare else ["-C", str(self.path)]
        return subprocess.run(
            ["git", *flag, *args], input=data, capture_output=True, check=True
        ).stdout

    def _commit(self) -> str:
        try:
            return self._git("rev-parse", "HEAD").decode().strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            return ""

    def files(self) -> Iterator[tuple[str, str]]:
        """(path, text) of every user-facing file, in path order."""
        if self.bare:
            names = self._git("ls-tree", "-r", "-z", "--name-only", "HEAD").decode().split("\0")
            names = [n for n in names if n]
        else:
            names = sorted(
                str(p.relative_to(self.path)).replace(os.sep, "/")
                for p in self.path.rglob("*")
                if p.is_file()
            )
        packages = {
            n.split("/")[0] for n in names if n.count("/") == 1 and n.endswith("/__init__.py")
        }
        chosen = []
        for n in sorted(names):
            rel = n
            if self.prefixes:
                hit = [p for p in self.prefixes if n.startswith(p + "/")]
                if not hit:
                    continue
                rel = n[len(hit[0]) + 1 :]
                if skip_path(rel, set()):
                    continue
            elif skip_path(rel, packages):
                continue
            chosen.append(n)
        if self.bare:
            yield from self._blobs(chosen)
        else:
            for n in chosen:
                yield n, (self.path / n).read_text(encoding="utf-8", errors="replace")

    def _blobs(self, names: list[str]) -> Iterator[tuple[str, str]]:
        out = self._git("cat-file", "--batch", data="".join(f"HEAD:{n}\n" for n in names).encode())
        pos = 0
        for n in names:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[1] != b"blob":
                continue
            size = int(header[2])
            yield n, out[pos : pos + size].decode("utf-8", errors="replace")
            pos += size + 1


# ---------------------------------------------------------------- code snippets of a file

_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*(\w*)")
_PY_LANGS = {"py", "python", "python3", "py3", "pycon"}


def markdown_snippets(text: str) -> list[str]:
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
        body: list[str] = []
        i += 1
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        if lang in _PY_LANGS:
            out.append("\n".join(body))
    return out


def notebook_snippets(text: str) -> list[str]:
    try:
        nb = json.loads(text)
    except ValueError:
        return []
    out: list[str] = []
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return out
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if cell.get("cell_type") == "code":
            out.append(src)
        elif cell.get("cell_type") == "markdown":
            out.extend(markdown_snippets(src))
    return out


def clean_snippet(src: str) -> str:
    """Doctest prompts out, shell and magic lines blanked."""
    lines = src.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    if any(ln.lstrip().startswith(">>>") for ln in lines):
        kept = []
        for ln in lines:
            s = ln.strip()
            if s.startswith(">>>") or s.startswith("..."):
                kept.append(s[4:] if len(s) > 3 and s[3] == " " else s[3:])
        lines = kept
    return "\n".join("" if ln.lstrip().startswith(("!", "%", "$ ")) else ln for ln in lines)


def parse(src: str) -> ast.Module | None:
    """Parse, blanking the offending line on a syntax error (a few times at most)."""
    lines = src.splitlines()
    for _ in range(12):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse("\n".join(lines))
        except SyntaxError as e:
            n = (e.lineno or 0) - 1
            if not 0 <= n < len(lines) or not lines[n].strip():
                return None
            lines[n] = ""
        except (ValueError, RecursionError, MemoryError):
            return None
    return None


# ---------------------------------------------------------------- what a name or call is

MODEL, TOKENIZER, PROCESSOR, IMAGE_PROCESSOR, VIDEO_PROCESSOR, FEATURE_EXTRACTOR = (
    "model",
    "tokenizer",
    "processor",
    "image_processor",
    "video_processor",
    "feature_extractor",
)
CONFIG, GEN_CONFIG, OUTPUT, GEN_OUTPUT, PIPE = (
    "config",
    "generation_config",
    "model_output",
    "generate_output",
    "pipeline_call",
)
OTHER, UNKNOWN = "other", "unknown"
CALLABLE_KINDS = {
    MODEL,
    TOKENIZER,
    PROCESSOR,
    IMAGE_PROCESSOR,
    VIDEO_PROCESSOR,
    FEATURE_EXTRACTOR,
    PIPE,
}

FIXED_CALLS = {
    "pipeline": "pipeline",
    "TrainingArguments": "training_args",
    "Seq2SeqTrainingArguments": "training_args",
    "Trainer": "trainer",
    "Seq2SeqTrainer": "trainer",
    "GenerationConfig": "generation_config",
}
QUANT_CONFIGS = {
    "BitsAndBytesConfig",
    "GPTQConfig",
    "AwqConfig",
    "HqqConfig",
    "QuantoConfig",
    "TorchAoConfig",
}
LIBRARIES = ("trl", "peft")
HF_MODULES = ("transformers", "trl", "peft")
# Constructors whose objects have a `.generate` that is not transformers' (vLLM, API clients).
FOREIGN = {
    "LLM",
    "OpenAI",
    "AsyncOpenAI",
    "InferenceClient",
    "AsyncInferenceClient",
    "Client",
    "SentenceTransformer",
    "AsyncLLMEngine",
    "LLMEngine",
    "Anthropic",
}
MODEL_FUNCS = {
    "get_peft_model",
    "prepare_model_for_kbit_training",
    "unwrap_model",
    "compile",
    "prepare_model_for_int8_training",
    "PeftModel",
    "inject_adapter_in_model",
}
PASSTHROUGH = {
    "to",
    "cuda",
    "cpu",
    "eval",
    "train",
    "half",
    "float",
    "bfloat16",
    "requires_grad_",
    "to_bettertransformer",
    "merge_and_unload",
}
LOADERS = {"from_pretrained", "from_config", "from_single_file"}
CALL_METHODS = {
    "encode": "encode",
    "pad": "pad",
    "apply_chat_template": "apply_chat_template",
    "decode": "decode",
    "batch_decode": "decode",
}
ATTR_CALLEES = {
    "model",
    "base_model",
    "ref_model",
    "reward_model",
    "teacher_model",
    "student_model",
    "policy_model",
    "tokenizer",
    "processor",
    "image_processor",
    "feature_extractor",
}

_MODEL_CLASS = re.compile(r"^(?:TF|Flax)?(?:AutoModel\w*|\w*For[A-Z]\w*|\w*Model)$")
_VERBS = (
    r"(?:get|load|create|build|init|make|prepare|save|train|setup|wrap|unwrap|freeze|print|"
    r"push|compile|eval|evaluate|run|merge|export|convert|quantize|download|upload|to|from|"
    r"is|has|count|apply|patch|replace|register|test|check|update|set|show|log|fit|new)_"
)
_MODEL_NAME = re.compile(rf"^(?!{_VERBS})(?:[a-z0-9]+_)*model(?:_?\d+)?$")
_TOKENIZER_NAME = re.compile(r"^(?:[a-z0-9]+_)*tokenizer(?:_?\d+)?$|^tok$")
_PROCESSOR_NAME = re.compile(r"^(?:[a-z0-9]+_)*processor$")


def class_kind(name: str) -> str:
    if name.endswith(("Tokenizer", "TokenizerFast")):
        return TOKENIZER
    if name.endswith(("ImageProcessor", "ImageProcessorFast")):
        return IMAGE_PROCESSOR
    if name.endswith("VideoProcessor"):
        return VIDEO_PROCESSOR
    if name.endswith("FeatureExtractor"):
        return FEATURE_EXTRACTOR
    if name.endswith("Processor"):
        return PROCESSOR
    if name == "GenerationConfig":
        return GEN_CONFIG
    if name.endswith("Config"):
        return CONFIG if name not in QUANT_CONFIGS else OTHER
    if name in FOREIGN:
        return OTHER
    if _MODEL_CLASS.match(name) or name in MODEL_FUNCS:
        return MODEL
    return OTHER if name[:1].isupper() else UNKNOWN


def name_kind(name: str) -> str:
    if _MODEL_NAME.match(name):
        return MODEL
    if _TOKENIZER_NAME.match(name):
        return TOKENIZER
    if name == "feature_extractor":
        return FEATURE_EXTRACTOR
    if _PROCESSOR_NAME.match(name):
        if name.endswith("image_processor"):
            return IMAGE_PROCESSOR
        if name.endswith("video_processor"):
            return VIDEO_PROCESSOR
        return PROCESSOR
    if name == "generation_config":
        return GEN_CONFIG
    return UNKNOWN


def last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class Counts:
    def __init__(self) -> None:
        self.by_kind: dict[str, Counter[str]] = defaultdict(Counter)
        # Calls of capitalized names this document did not import: resolved against the names
        # imported from trl/peft anywhere in the corpus (docs snippets often skip imports).
        self.pending: dict[str, Counter[str]] = defaultdict(Counter)
        self.library_names: dict[str, str] = {}

    def resolve(self, min_count: int = MIN_COUNT) -> dict[str, dict[str, int]]:
        for name, c in self.pending.items():
            if name in self.library_names:
                self.by_kind[name].update(c)
        return {
            kind: {k: v for k, v in sorted(c.items()) if v >= min_count}
            for kind, c in sorted(self.by_kind.items())
            if any(v >= min_count for v in c.values())
        }


class Document(ast.NodeVisitor):
    """One file: its snippets share their names (a notebook's cells, a page's code blocks)."""

    def __init__(self, counts: Counts) -> None:
        self.c = counts
        self.env: dict[str, str] = {}
        self.imported: dict[str, str] = {}  # local name -> "module.Name"
        self.modules: dict[str, str] = {}  # local alias -> module (import trl as t)
        self.subclass: dict[str, str] = {}  # user class -> call key of its HF base
        self.subkind: dict[str, str] = {}  # user class -> kind of its instances
        self.counting = True

    # -- kinds of expressions

    def kind(self, node: ast.expr | None) -> str:
        if isinstance(node, ast.Name):
            if node.id in self.env:
                k = self.env[node.id]
                return name_kind(node.id) if k == UNKNOWN else k
            return name_kind(node.id)
        if isinstance(node, ast.Attribute):
            key = dotted(node)
            if key in self.env and self.env[key] != UNKNOWN:
                return self.env[key]
            if node.attr == "config" and self.kind(node.value) == MODEL:
                return CONFIG
            if node.attr == "generation_config":
                return GEN_CONFIG
            return name_kind(node.attr)
        if isinstance(node, ast.Call):
            return self.call_result(node)
        if isinstance(node, ast.Await):
            return self.kind(node.value)
        return UNKNOWN

    def callee_class(self, name: str) -> str:
        k = self.subkind.get(name) or class_kind(name)
        if k == CONFIG and (self.library_origin(name) or name in self.c.library_names):
            return OTHER  # LoraConfig, SFTConfig, PeftConfig: not a model config
        return k

    def foreign(self, local: str) -> bool:
        """Imported here from a module other than transformers, trl or peft."""
        origin = self.imported.get(local)
        return origin is not None and origin.split(".")[0] not in HF_MODULES

    def library_origin(self, name: str) -> bool:
        return self.imported.get(name, "").split(".")[0] in LIBRARIES

    def call_result(self, node: ast.Call) -> str:
        f = node.func
        if isinstance(f, ast.Attribute):
            if f.attr in PASSTHROUGH:
                return self.kind(f.value)
            if f.attr in LOADERS:
                n = last_name(f.value)
                if n == "AutoConfig":
                    return CONFIG
                return self.callee_class(n) if n else UNKNOWN
            if f.attr == "generate":
                return GEN_OUTPUT
            if f.attr == "prepare" and len(node.args) == 1:
                return self.kind(node.args[0])
        n = last_name(f)
        if n is None:
            return UNKNOWN
        if isinstance(f, ast.Name) and f.id not in self.env:
            n = self.real_name(n)
        if n == "pipeline":
            return PIPE
        if n in FOREIGN:
            return OTHER
        k = self.kind(f)
        if k == MODEL:
            return OUTPUT
        if n in MODEL_FUNCS:
            return MODEL
        if n[:1].isupper():
            return self.callee_class(n)
        return UNKNOWN

    # -- counting

    def add(self, kind: str, node: ast.Call) -> None:
        if not self.counting:
            return
        bucket = self.c.by_kind[kind]
        for kw in node.keywords:
            if kw.arg:
                bucket[kw.arg] += 1

    def add_attr(self, kind: str, name: str) -> None:
        if self.counting and not name.startswith("_"):
            self.c.by_kind[kind][name] += 1

    def real_name(self, local: str) -> str:
        """`pl` for `from transformers import pipeline as pl` is `pipeline`."""
        origin = self.imported.get(local)
        return origin.rsplit(".", 1)[-1] if origin else local

    def class_call_key(self, local: str) -> str | None:
        """The call key of calling class `local` directly, None when unknown."""
        name = self.real_name(local)
        if self.foreign(local):
            return None  # pytorch_lightning's Trainer, diffusers' pipelines
        if name in self.subclass:
            return self.subclass[name]
        if name in FIXED_CALLS:
            return FIXED_CALLS[name]
        if name in QUANT_CONFIGS:
            return name
        origin = self.imported.get(local, "")
        module = origin.split(".")[0]
        if module in LIBRARIES and name[:1].isupper():
            return origin.rsplit(".", 1)[1]
        if module == "transformers" and name.endswith("Config") and name != "AutoConfig":
            return CONFIG
        return None

    def visit_Call(self, node: ast.Call) -> None:
        key = self.call_key(node)
        if key is not None:
            self.add(key, node)
        elif isinstance(node.func, ast.Name) and node.func.id[:1].isupper() and self.counting:
            if node.func.id not in self.imported and node.func.id not in self.env:
                for kw in node.keywords:
                    if kw.arg:
                        self.c.pending[node.func.id][kw.arg] += 1
        self.generic_visit(node)

    def call_key(self, node: ast.Call) -> str | None:
        f = node.func
        if isinstance(f, ast.Name):
            # a local variable shadows the library's name (pipeline = DiffusionPipeline...)
            local = f.id in self.env and f.id not in self.subclass
            key = self.class_call_key(f.id) if not local else None
            if key is not None:
                return key
            k = self.kind(f)
            return k if k in CALLABLE_KINDS else None
        if not isinstance(f, ast.Attribute):
            return None
        if f.attr == "from_pretrained":
            n = f.value.id if isinstance(f.value, ast.Name) else None
            if n and (self.foreign(n) or n.endswith("Pipeline")):
                return None  # diffusers, sentence-transformers, optimum...
            return "from_pretrained"
        recv = self.kind(f.value)
        base = dotted(f.value)
        if f.attr == "generate":
            n = base.rsplit(".", 1)[-1].lower() if base else ""
            if recv in (OTHER, PIPE) or re.search(r"llm|client|engine|vllm|pipe", n):
                return None
            return "generate"
        if recv == TOKENIZER and f.attr in ("encode_plus", "batch_encode_plus"):
            return TOKENIZER
        if recv in (TOKENIZER, PROCESSOR) and f.attr in CALL_METHODS:
            return f"{recv}.{CALL_METHODS[f.attr]}"
        if recv == MODEL and f.attr == "forward":
            return MODEL
        if base in self.modules and self.modules[base] in HF_MODULES:
            return self.module_call(self.modules[base], f.attr)
        # self.model(...), trainer.model(...), processor.tokenizer(...)
        k = self.kind(f)
        if k in CALLABLE_KINDS and (f.attr in ATTR_CALLEES or dotted(f) in self.env):
            return k
        return None

    def module_call(self, module: str, name: str) -> str | None:
        if name in FIXED_CALLS:
            return FIXED_CALLS[name]
        if module in LIBRARIES and name[:1].isupper():
            self.c.library_names.setdefault(name, module)
            return name
        if name in QUANT_CONFIGS:
            return name
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not getattr(node, "_is_func", False):
            recv = node.value
            k = self.kind(recv) if isinstance(recv, ast.Name | ast.Attribute | ast.Call) else ""
            if k == OUTPUT:
                self.add_attr("model_output", node.attr)
            elif k == GEN_OUTPUT and isinstance(recv, ast.Name):
                self.add_attr("generate_output", node.attr)
            elif k == CONFIG:
                self.add_attr("config", node.attr)
            elif k == GEN_CONFIG and not (isinstance(recv, ast.Name) and recv.id not in self.env):
                self.add_attr("generation_config", node.attr)
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node.func._is_func = True  # type: ignore[attr-defined]
        super().generic_visit(node)

    # -- names

    def bind(self, target: ast.expr, kind: str) -> None:
        if isinstance(target, ast.Name | ast.Attribute):
            key = dotted(target)
            if key:
                self.env[key] = kind
        elif isinstance(target, ast.Tuple | ast.List):
            for t in target.elts:
                self.bind(t, UNKNOWN)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        k = self.kind(node.value)
        for t in node.targets:
            if not isinstance(t, ast.Name):
                self.visit(t)
            if isinstance(t, ast.Tuple) and isinstance(node.value, ast.Call):
                # model, opt = accelerator.prepare(model, opt): each keeps its own kind
                args = node.value.args
                if len(args) == len(t.elts):
                    for el, a in zip(t.elts, args, strict=True):
                        self.bind(el, self.kind(a))
                    continue
            self.bind(t, k)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self.bind(node.target, self.kind(node.value))

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, UNKNOWN)
        for stmt in node.body:
            self.visit(stmt)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.bind(node.target, UNKNOWN)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.env[node.name] = OTHER
        for a in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
            self.env.pop(a.arg, None)
        for d in node.decorator_list:
            self.visit(d)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for b in node.bases:
            n = last_name(b)
            if not n:
                continue
            key = self.class_call_key(n)
            if key is None and n in self.c.library_names:
                key = n
            if key is not None:
                self.subclass[node.name] = key
            k = self.callee_class(n)
            if k != UNKNOWN:
                self.subkind[node.name] = k
            if key is not None or k != UNKNOWN:
                break
        self.env[node.name] = OTHER
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            top = a.name.split(".")[0]
            self.modules[a.asname or top] = a.name if a.asname else top

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        top = module.split(".")[0]
        for a in node.names:
            local = a.asname or a.name
            self.imported[local] = f"{module}.{a.name}"
            if top in LIBRARIES and a.name[:1].isupper():
                self.c.library_names.setdefault(a.name, top)
            self.env.pop(local, None)


# ---------------------------------------------------------------- driver


def snippets_of(path: str, text: str) -> list[str]:
    if path.endswith(".py"):
        return [text]
    if path.endswith(".ipynb"):
        return notebook_snippets(text)
    return markdown_snippets(text)


def normalized(src: str) -> str:
    return "\n".join(ln.rstrip() for ln in src.splitlines() if ln.strip())


def count(
    sources: list[Source], verbose: bool = False, min_count: int = MIN_COUNT
) -> tuple[dict, dict[str, int]]:
    counts = Counts()
    seen: set[bytes] = set()
    stats: Counter[str] = Counter()
    for source in sources:
        for path, text in source.files():
            snippets = snippets_of(path, text)
            if not snippets:
                continue
            stats["files"] += 1
            doc = Document(counts)
            for raw in snippets:
                src = clean_snippet(raw)
                if not src.strip():
                    continue
                stats["snippets"] += 1
                tree = parse(src)
                if tree is None:
                    stats["unparsable"] += 1
                    continue
                digest = hashlib.sha1(normalized(src).encode()).digest()
                doc.counting = digest not in seen
                stats["duplicates"] += not doc.counting
                seen.add(digest)
                try:
                    doc.visit(tree)
                except RecursionError:
                    stats["unparsable"] += 1
            if verbose:
                print(f"{source.name}:{path}", file=sys.stderr)
    return counts.resolve(min_count), dict(stats)


def dumps(data: dict) -> str:
    """Sorted, compact JSON with one call kind per line (small diffs)."""

    def js(x: object) -> str:
        return json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    kinds = [f"{js(k)}:{js(v)}" for k, v in sorted(data["counts"].items())]
    rest = {k: v for k, v in data.items() if k != "counts"}
    return '{"counts":{\n' + ",\n".join(kinds) + "\n}," + js(rest)[1:] + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sources", nargs="+", help="[OWNER/NAME@]PATH[:PREFIX,PREFIX...]")
    ap.add_argument("--out", default="-", help="output file (default: stdout)")
    ap.add_argument("--min-count", type=int, default=MIN_COUNT, help="drop rarer names")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the files read")
    args = ap.parse_args(argv)
    sources = sorted((Source(s) for s in args.sources), key=lambda s: (s.name, s.prefixes))
    result, stats = count(sources, args.verbose, args.min_count)
    seen_names: set[str] = set()
    listed = []
    for s in sources:
        if s.name not in seen_names:
            seen_names.add(s.name)
            listed.append({"commit": s.commit, "repo": s.name})
    data = {"counts": result, "schema": SCHEMA, "sources": listed}
    text = dumps(data)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    print(" ".join(f"{k}={v}" for k, v in sorted(stats.items())), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
