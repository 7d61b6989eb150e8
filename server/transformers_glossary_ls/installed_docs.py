"""Argument docs from the packages installed in the user's environment, read as text at run time
and shown below our own words (the way jedi shows a docstring). Nothing is imported or run;
nothing read here is stored in the repository or in a cache file.

Read with `ast`:
- transformers' shared argument docs: `utils/auto_docstring.py` (4.54+) or `utils/args_doc.py`
  (4.52-4.53), classes such as `ModelArgs` of `name = {"description": ..., "shape": ...}`;
- the `help` metadata of dataclass fields: `TrainingArguments`, trl's configs, peft's `LoraConfig`;
- per model class named in the open documents, `models/<dir>/modeling_<dir>.py`: its `forward`
  signature (the names it takes in this release) and the `Args:` of its docstring, or of the
  `*_INPUTS_DOCSTRING` it is decorated with (before 4.52);
- before 4.52 (no shared argument docs), the `*_INPUTS_DOCSTRING` of a few common models stand in
  for the model family's docs.
Plain Python: no LSP.
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import os
import re
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 4 * 1024 * 1024  # auto_docstring.py is ~150 kB; anything far larger is not it
MAX_DOC_CHARS = 1500  # one argument's description, shown in a hover

# Which catalogue callables read which argument-doc class of transformers.
_ARGS_CLASSES = {
    "ModelArgs": ("model",),
    "ModelForArgs": ("model",),
    "ModelOutputArgs": ("model_output",),
    "ImageProcessorArgs": ("image_processor", "processor"),
    "VideoProcessorArgs": ("processor",),
    "ProcessorArgs": ("processor",),
    "ConfigArgs": ("config",),
}
# (package, module path under site-packages, class) -> catalogue callable, for dataclass `help`.
_FIELD_HELP = (
    ("transformers", "transformers/training_args.py", "TrainingArguments", "training_args"),
    ("trl", "trl/trainer/sft_config.py", "SFTConfig", "SFTConfig"),
    ("trl", "trl/trainer/dpo_config.py", "DPOConfig", "DPOConfig"),
    ("trl", "trl/trainer/grpo_config.py", "GRPOConfig", "GRPOConfig"),
    ("trl", "trl/trainer/reward_config.py", "RewardConfig", "RewardConfig"),
    ("peft", "peft/tuners/lora/config.py", "LoraConfig", "LoraConfig"),
)


# Modeling files whose `*_INPUTS_DOCSTRING` document the model family before 4.52, first wins.
_FAMILY_MODELS = ("llama", "bert", "bart", "whisper")
MAX_SOURCE_TEXT = 200  # an annotation or a default, as written


@dataclass(frozen=True)
class Signature:
    """What a model class's `forward` takes in the installed release, as written there."""

    params: tuple[tuple[str, str | None, str | None], ...]  # (name, annotation, default)
    kwargs: str | None = None  # `**kwargs: Unpack[TransformersKwargs]`: the TypedDict's name
    renamed: tuple[tuple[str, str, str], ...] = ()  # @deprecate_kwarg: (old, new, removal)
    decorators: tuple[str, ...] = ()  # `@can_return_tuple` and the like add names of their own
    # (origin, name) the newest release's classes get from those origins, by the catalogue
    added: tuple[tuple[str, str], ...] = ()

    def names(self) -> list[str]:
        return [name for name, _, _ in self.params]


@dataclass
class InstalledDocs:
    """Descriptions by (catalogue callable, name), model classes' signatures, and where they
    were read."""

    versions: Mapping[str, str] = field(default_factory=dict)  # package -> installed version
    texts: dict[tuple[str, str], str] = field(default_factory=dict)
    classes: dict[str, Signature] = field(default_factory=dict)  # model class -> its forward

    def get(self, key: str, name: str) -> str | None:
        family = "model" if key.startswith("model:") or key[:1].isupper() else key
        return self.texts.get((key, name)) or self.texts.get((family, name))


def read_installed_docs(
    site_packages: Iterable[Path],
    versions: Mapping[str, str],
    classes: Mapping[str, str] | None = None,
) -> InstalledDocs:
    """What the installed transformers, trl and peft document, from their source files;
    `classes` (model class -> its folder under `transformers/models/`) adds those classes'
    forward signatures and docs."""
    docs = InstalledDocs(dict(versions))
    added = _added_names() if classes else {}
    for site in site_packages:
        for member in ("transformers/utils/auto_docstring.py", "transformers/utils/args_doc.py"):
            tree = _parse(site / member)
            if tree is not None:
                _read_args_classes(tree, docs.texts)
                break
        else:
            if "transformers" in versions:
                _read_family_inputs_docs(site, docs.texts)
        if "transformers" in versions:
            _read_model_classes(site, classes or {}, docs, added)
        for package, member, cls, key in _FIELD_HELP:
            if package not in versions:
                continue
            tree = _parse(site / member)
            if tree is not None:
                for name, text in _field_helps(tree, cls).items():
                    docs.texts.setdefault((key, name), text)
        if docs.texts:
            break  # the first site-packages holding them is the one Python would use
    return docs


def _read_args_classes(tree: ast.Module, out: dict[tuple[str, str], str]) -> None:
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name not in _ARGS_CLASSES:
            continue
        for item in node.body:
            if not (isinstance(item, ast.Assign) and isinstance(item.value, ast.Dict)):
                continue
            names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            described = _dict_str(item.value, "description")
            if not names or not described:
                continue
            for key in _ARGS_CLASSES[node.name]:
                out.setdefault((key, names[0]), _clean(described))


def _read_family_inputs_docs(site: Path, out: dict[tuple[str, str], str]) -> None:
    """Before 4.52 each model documents its inputs in `*_INPUTS_DOCSTRING`: a few common models
    stand in for the family's shared docs."""
    for folder in _FAMILY_MODELS:
        tree = _parse(site / "transformers" / "models" / folder / f"modeling_{folder}.py")
        if tree is None:
            continue
        strings = _module_strings(tree)
        for name, text in strings.items():
            if name.endswith("_INPUTS_DOCSTRING"):
                text = _formatted(text, _format_args(tree, name))
                for arg, said in _args_section(text).items():
                    out.setdefault(("model", arg), said)


def _added_names() -> dict[str, set[str]]:
    """What each `**kwargs` TypedDict or decorator adds, by the catalogue: parsed here, in the
    child, so that the server never parses the whole class file for it."""
    from transformers_glossary_ls.catalogue import default_catalogue

    return default_catalogue().origins()


def _read_model_classes(
    site: Path,
    classes: Mapping[str, str],
    docs: InstalledDocs,
    added: Mapping[str, set[str]],
) -> None:
    trees: dict[Path, ast.Module | None] = {}

    def tree_of(path: Path) -> ast.Module | None:
        if path not in trees:
            trees[path] = _parse(path)
        return trees[path]

    for cls, folder in classes.items():
        if cls in docs.classes or not _is_name(cls) or not _is_name(folder):
            continue
        found = None
        for module in _modeling_files(site, folder):
            found = _forward_of(cls, module, tree_of)
            if found is not None:
                break
        if found is None:
            continue
        forward, tree = found
        signature = _signature(forward)
        origins = [f"decorator:{d}" for d in signature.decorators]
        origins += [signature.kwargs] if signature.kwargs else []
        given = tuple((o, n) for o in origins for n in sorted(added.get(o, ())))
        signature = replace(signature, added=given)
        docs.classes[cls] = signature
        wanted = set(signature.names()) | {old for old, _, _ in signature.renamed}
        said: dict[str, str] = {}
        for decorator in forward.decorator_list:
            if _called(decorator) == "add_start_docstrings_to_model_forward" and tree is not None:
                for text in _strings_of(decorator.args, tree):  # type: ignore[attr-defined]
                    said.update(_args_section(text, wanted))
        own = ast.get_docstring(forward, clean=True)
        if own:
            said.update(_args_section(own, wanted))  # the model's own words win
        for name, text in said.items():
            docs.texts[(cls, name)] = text


MAX_MODELING_FILES = 8  # a model folder holds one to a few (data2vec: audio, text, vision)


def _modeling_files(site: Path, folder: str) -> list[Path]:
    """`modeling_<folder>.py` first, then the folder's other `modeling_*.py` (`blip_text`)."""
    base = site / "transformers" / "models" / folder
    main = base / f"modeling_{folder}.py"
    try:
        others = sorted(p for p in base.glob("modeling_*.py") if p != main)
    except OSError:
        others = []
    return [main, *others[:MAX_MODELING_FILES]]


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,100}")


def _is_name(text: str) -> bool:
    return _NAME.fullmatch(text) is not None


def _forward_of(cls: str, module: Path, tree_of, depth: int = 0):
    """(the `forward` a class has, the module it is written in): its own, or a base's in the
    same module or in `modeling_layers.py` (`GenericForSequenceClassification`)."""
    tree = tree_of(module)
    if tree is None or depth > 4:
        return None
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls), None)
    if node is None:
        return None
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and item.name == "forward":
            return item, tree
    for base in node.bases:
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
        if not name or name in ("PreTrainedModel", "GenerationMixin", "nn.Module"):
            continue
        where = module
        if name.startswith("Generic"):
            where = module.parents[2] / "modeling_layers.py"
        found = _forward_of(name, where, tree_of, depth + 1)
        if found is not None:
            return found
    return None


def _source(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    text = ast.unparse(node)
    return text if len(text) <= MAX_SOURCE_TEXT else text[: MAX_SOURCE_TEXT - 1] + "…"


def _signature(forward: ast.FunctionDef | ast.AsyncFunctionDef) -> Signature:
    args = forward.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = [
        (a.arg, _source(a.annotation), _source(d))
        for a, d in zip(positional, defaults, strict=True)
        if a.arg not in ("self", "cls")
    ]
    params += [
        (a.arg, _source(a.annotation), _source(d))
        for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    ]
    kwargs = None
    annotation = args.kwarg.annotation if args.kwarg is not None else None
    if isinstance(annotation, ast.Subscript) and _called_name(annotation.value) == "Unpack":
        kwargs = _called_name(annotation.slice)
    renamed = []
    for decorator in forward.decorator_list:
        if _called(decorator) != "deprecate_kwarg" or not isinstance(decorator, ast.Call):
            continue
        # deprecate_kwarg(old_name, version, new_name=...), each also by keyword
        given = dict(zip(("old_name", "version", "new_name"), decorator.args, strict=False))
        given |= {k.arg: k.value for k in decorator.keywords if k.arg}
        values = [given.get(k) for k in ("old_name", "new_name", "version")]
        texts = [v.value if isinstance(v, ast.Constant) else None for v in values]
        if all(isinstance(t, str) for t in texts):
            renamed.append(tuple(texts))
    decorators = tuple(
        name for d in forward.decorator_list if (name := _called_name(d) or _called(d))
    )
    return Signature(tuple(params), kwargs, tuple(renamed), decorators)


def _called_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _called(decorator: ast.AST) -> str | None:
    return _called_name(decorator.func) if isinstance(decorator, ast.Call) else None


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = r\"\"\"...\"\"\"` string constants (and `+` of them)."""
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            text = _constant_text(node.value)
            if isinstance(target, ast.Name) and text is not None:
                out[target.id] = text
    return out


def _constant_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_text(node.left), _constant_text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def _strings_of(args: list[ast.expr], tree: ast.Module) -> Iterable[str]:
    """The docstrings a decorator is given: `X_INPUTS_DOCSTRING`, or `X.format("batch_size")`."""
    strings = _module_strings(tree)
    for arg in args:
        if isinstance(arg, ast.Name) and arg.id in strings:
            yield strings[arg.id]
        elif (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr == "format"
            and isinstance(arg.func.value, ast.Name)
            and arg.func.value.id in strings
        ):
            yield _formatted(strings[arg.func.value.id], arg.args)
        else:
            text = _constant_text(arg)
            if text is not None:
                yield text


def _format_args(tree: ast.Module, name: str) -> list[ast.expr]:
    """The arguments of the first `NAME.format(...)` in a module (what the placeholders hold)."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            return node.args
    return []


def _formatted(text: str, args: list[ast.expr]) -> str:
    """`{0}` placeholders filled with constant arguments; never `str.format` on file text."""
    for k, arg in enumerate(args):
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            text = text.replace("{" + str(k) + "}", arg.value)
    return text.replace("{{", "{").replace("}}", "}") if args else text


_ARG_LINE = re.compile(r"(\**[A-Za-z_]\w*)\s*(?:\([^\n]*\))?\s*:\s*(.*)")
_SECTION = re.compile(r"(Args|Arguments|Parameters|Params)\s*:\s*$")
_OTHER_SECTION = re.compile(r"(Returns?|Examples?|Raises|Yields|Notes?|Example usage)\s*:")


def _args_section(doc: str, wanted: set[str] | None = None) -> dict[str, str]:
    """Each `name (type): description` of a docstring's arguments (of its `Args:` section when
    it has one), with its indented lines; only `wanted` names when given."""
    lines = textwrap.dedent(doc).expandtabs().splitlines()
    start = next((k + 1 for k, line in enumerate(lines) if _SECTION.fullmatch(line.strip())), 0)
    found: dict[str, str] = {}
    indent: int | None = None
    name, body = None, []

    def flush() -> None:
        if name is not None and (wanted is None or name in wanted) and name not in found:
            rest = textwrap.dedent("\n".join(body[1:]))
            text = _clean(f"{body[0]}\n{rest}")
            if text:
                found[name] = text

    for line in lines[start:]:
        if not line.strip():
            body.append("")
            continue
        here = len(line) - len(line.lstrip())
        if indent is not None and here > indent:
            body.append(line)
            continue
        match = _ARG_LINE.fullmatch(line.strip())
        if (
            _OTHER_SECTION.match(line.strip())
            or match is None
            or (indent is not None and here < indent)
        ):
            if indent is not None:
                break
            continue
        flush()
        indent = here
        name, body = match.group(1).lstrip("*"), [match.group(2)]
    flush()
    return found


def _field_helps(tree: ast.Module, cls: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == cls):
            continue
        for item in node.body:
            if not (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and isinstance(item.value, ast.Call)
            ):
                continue
            for kw in item.value.keywords:
                if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
                    text = _dict_str(kw.value, "help")
                    if text:
                        found[item.target.id] = _clean(text)
        break
    return found


def _dict_str(node: ast.Dict, key: str) -> str | None:
    for k, v in zip(node.keys, node.values, strict=False):
        if isinstance(k, ast.Constant) and k.value == key:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                return v.value
            if isinstance(v, ast.JoinedStr):  # an f-string: keep its literal parts
                return "".join(
                    p.value
                    for p in v.values
                    if isinstance(p, ast.Constant) and isinstance(p.value, str)
                )
    return None


_BLANKS = re.compile(r"\n{3,}")


def _clean(text: str) -> str:
    text = _BLANKS.sub("\n\n", textwrap.dedent(text).strip())
    return text if len(text) <= MAX_DOC_CHARS else text[: MAX_DOC_CHARS - 1].rstrip() + "…"


def _parse(path: Path) -> ast.Module | None:
    """A source file as a tree; None when absent, not a regular file, huge, or not Python.
    Opened once, non-blocking, and checked on the open descriptor (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
            log.info("%s: not a regular file of a plausible size; skipped", path)
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc)
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_BYTES:
        return None
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        log.info("%s does not parse (%s); its docs are not shown", path, type(exc).__name__)
        return None


__all__ = ["DocsWorker", "InstalledDocs", "Signature", "read_installed_docs"]


# --- in a process of its own ------------------------------------------------------------------
# `ast.parse` holds the GIL for the whole of a 150 kB file (tens of ms): run in the server's
# process it would hold up the hovers meanwhile. A child process (our own interpreter and code,
# never the user's) does the reading; a hostile file can only cost that child.

MAX_OUTPUT_BYTES = 8 * 1024 * 1024


def _classes_json(classes: Mapping[str, Signature]) -> dict:
    return {
        name: {
            "params": sig.params,
            "kwargs": sig.kwargs,
            "renamed": sig.renamed,
            "decorators": sig.decorators,
            "added": sig.added,
        }
        for name, sig in classes.items()
    }


def _texts_from(raw: list) -> dict[tuple[str, str], str]:
    return {(k, n): t for k, n, t in raw if type(k) is type(n) is type(t) is str}


def _classes_from(raw: dict) -> dict[str, Signature]:
    return {
        name: Signature(
            tuple((n, t, d) for n, t, d in sig["params"]),
            sig["kwargs"],
            tuple((o, n, r) for o, n, r in sig["renamed"]),
            tuple(str(d) for d in sig["decorators"]),
            tuple((str(o), str(n)) for o, n in sig["added"]),
        )
        for name, sig in raw.items()
    }


def to_json(docs: InstalledDocs) -> str:
    return json.dumps(
        {
            "versions": dict(docs.versions),
            "texts": [[k, n, t] for (k, n), t in docs.texts.items()],
            "classes": _classes_json(docs.classes),
        }
    )


def from_json(data: bytes | str) -> InstalledDocs:
    raw = json.loads(data)
    texts, classes = _texts_from(raw["texts"]), _classes_from(raw.get("classes", {}))
    return InstalledDocs(dict(raw["versions"]), texts, classes)


# The worker's answer comes in parts, a line each: a head (`{"versions", "parts"}`), then
# `parts` lines of texts or of one class. Decoded on the server's waiting thread a part at a
# time, giving the GIL away between parts: decoded in one go (~0.5 ms for 140 kB), it held up
# the hover that arrived meanwhile, once per read.
PART_TEXTS = 64  # texts in one part (~14 kB, decoded in ~0.05 ms)


def to_parts(docs: InstalledDocs) -> list[str]:
    texts = [[k, n, t] for (k, n), t in docs.texts.items()]
    parts = [
        json.dumps({"texts": texts[i : i + PART_TEXTS]}) for i in range(0, len(texts), PART_TEXTS)
    ]
    parts += [json.dumps({"classes": _classes_json({n: s})}) for n, s in docs.classes.items()]
    return [json.dumps({"versions": dict(docs.versions), "parts": len(parts)}), *parts]


def from_parts(head: bytes, parts: Iterable[bytes]) -> InstalledDocs:
    """The docs from the head line and its parts (`parts` is read lazily: a part at a time)."""
    raw = json.loads(head)
    docs = InstalledDocs(dict(raw["versions"]))
    for part in parts:
        got = json.loads(part)
        docs.texts.update(_texts_from(got.get("texts", ())))
        docs.classes.update(_classes_from(got.get("classes", {})))
    return docs


class _NoAnswer(Exception):
    """The worker's answer was cut short or too long."""


class DocsWorker:
    """A child process that reads the installed docs on request and is kept between reads
    (`python -m transformers_glossary_ls.installed_docs --serve`: our interpreter and code).

    A read then costs its parsing alone. Started for each read, a child also cost its start
    and its exit (the interpreter, the imports, the catalogue's origins) and the server the
    spawning and the waiting around it: hovers at the start and the end of each read waited for
    those, not for the parsing. A failure, a read that runs past
    its timeout or an answer past `MAX_OUTPUT_BYTES` ends the worker; the next read starts
    another. It ends by itself when the server does (its input closes)."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or worker_command()
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()  # one read at a time (workspace folders read in turn)

    def read(
        self,
        site_packages: Iterable[Path],
        versions: Mapping[str, str],
        classes: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> InstalledDocs | None:
        """`read_installed_docs` in the worker (waiting on it releases the GIL); None when it
        fails, runs too long or says too much."""
        request = {
            "sites": [str(p) for p in site_packages],
            "versions": dict(versions),
            "classes": dict(classes or {}),
        }
        with self._lock:
            proc = self._running()
            if proc is None:
                return None
            docs, failure = self._ask(proc, json.dumps(request).encode() + b"\n", timeout)
            if docs is not None:
                return docs
            log.warning("reading the installed docs failed: %s", failure)
            self._end(proc)
            return None

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                self._end(self._proc)

    def _running(self) -> subprocess.Popen | None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc
        try:
            self._proc = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # failures come back as answers
                bufsize=WORKER_BUFFER,
            )
        except OSError as exc:
            log.warning("cannot start the reader of the installed docs: %s", exc)
            self._proc = None
        return self._proc

    @staticmethod
    def _ask(
        proc: subprocess.Popen, request: bytes, timeout: float
    ) -> tuple[InstalledDocs | None, str]:
        """(the docs, "") or (None, why there are none)."""
        assert proc.stdin is not None and proc.stdout is not None
        stdout = proc.stdout
        timer = threading.Timer(timeout, proc.kill)  # a hang costs the worker, not the server
        timer.daemon = True
        timer.start()
        left = MAX_OUTPUT_BYTES

        def line() -> bytes:
            nonlocal left
            got = stdout.readline(left + 1)
            left -= len(got)
            if not got.endswith(b"\n"):
                raise _NoAnswer(
                    f"an answer of more than {MAX_OUTPUT_BYTES} bytes"
                    if left < 0
                    else f"the worker ended (exit {proc.poll()}) or ran past {timeout} s"
                )
            return got

        def parts(count: int) -> Iterator[bytes]:
            for _ in range(count):
                time.sleep(0)  # the GIL to the loop, if a request is waiting for it
                yield line()

        head = b""
        try:
            proc.stdin.write(request)
            proc.stdin.flush()
            head = line()
            count = json.loads(head).get("parts")
            if type(count) is not int:
                return None, f"its answer was not docs: {head[:500].decode(errors='replace')}"
            return from_parts(head, parts(count)), ""
        except (OSError, ValueError) as exc:
            return None, f"the worker is gone ({exc})"
        except _NoAnswer as exc:
            return None, str(exc)
        except (KeyError, TypeError, AttributeError) as exc:
            return None, f"its answer was unreadable ({exc}): {head[:500].decode(errors='replace')}"
        finally:
            timer.cancel()

    def _end(self, proc: subprocess.Popen) -> None:
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            proc.wait(5)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
        if self._proc is proc:
            self._proc = None


WORKER_BUFFER = 1024 * 1024  # an answer (~150 kB) read in a few pipe reads, not 8 kB ones


def worker_command() -> list[str]:
    return [sys.executable, "-m", "transformers_glossary_ls.installed_docs", "--serve"]


def serve(requests: IO[bytes], answers: IO[bytes]) -> int:
    """The worker: one JSON request a line in, the docs out as `to_parts` lines (or one
    `{"error": ...}` line when that read failed), until the input ends."""
    for line in requests:
        try:
            request = json.loads(line)
            sites = [Path(p) for p in request["sites"]]
            versions = {str(k): str(v) for k, v in request["versions"].items()}
            classes = {str(k): str(v) for k, v in request["classes"].items()}
            lines = to_parts(read_cached(sites, versions, classes))
        except Exception as exc:  # noqa: BLE001 - one failed read, not the worker's end
            lines = [json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]})]
        answers.write("".join(line + "\n" for line in lines).encode())
        answers.flush()
    return 0


# --- kept between runs -----------------------------------------------------------------------
CACHE_FORMAT = 3
MAX_CACHE_FILES = 6  # a few environments, a few releases each
MAX_CACHE_BYTES = 32 * 1024 * 1024


def _sources(site_packages: Iterable[Path], classes: Mapping[str, str]) -> list[Path]:
    members = ["transformers/utils/auto_docstring.py", "transformers/utils/args_doc.py"]
    members += [member for _, member, _, _ in _FIELD_HELP]
    members.append("transformers/modeling_layers.py")
    out = [site / member for site in site_packages for member in members]
    for folder in sorted({*classes.values(), *_FAMILY_MODELS}):
        if _is_name(folder):
            out += [p for site in site_packages for p in _modeling_files(site, folder)]
    return out


def cache_file(
    site_packages: Iterable[Path],
    versions: Mapping[str, str],
    classes: Mapping[str, str] | None = None,
) -> Path:
    """Keyed by the versions, where they are installed, and each source file's size and mtime
    (an editable install changes without a new version)."""
    import hashlib

    from transformers_glossary_ls import diskcache

    sites, classes = list(site_packages), dict(classes or {})
    digest = hashlib.sha256(
        f"{CACHE_FORMAT}\0{sorted(versions.items())}\0{sorted(classes.items())}".encode()
    )
    for path in _sources(sites, classes):
        try:
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{path}\0-\0".encode())
    return diskcache.cache_dir() / f"installed-{digest.hexdigest()[:24]}.json"


def read_cached(
    site_packages: Iterable[Path],
    versions: Mapping[str, str],
    classes: Mapping[str, str] | None = None,
) -> InstalledDocs:
    """`read_installed_docs`, from the cache when the same files were read before."""
    from transformers_glossary_ls import diskcache

    sites = list(site_packages)
    path = cache_file(sites, versions, classes)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CACHE_BYTES + 1)
        if len(data) <= MAX_CACHE_BYTES:
            docs = from_json(data)
            diskcache.touch(path)
            return docs
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.info("ignoring installed-docs cache %s: %s", path, exc)
    docs = read_installed_docs(sites, versions, classes)
    data = to_json(docs).encode()
    if len(data) <= MAX_CACHE_BYTES and diskcache.write_atomic(path, data):
        diskcache.trim(path.parent, "installed-*.json", MAX_CACHE_FILES, MAX_CACHE_BYTES, path)
    return docs


def main(argv: list[str]) -> int:
    # The child is background work: on a busy machine the server answering the editor (and
    # the editor itself) go first. Not on Windows (no os.nice): there it runs at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.nice(19)
    # On Linux, the scheduler's idle class too: a request woken while the worker parses gets a
    # CPU at once, where a nice-19 task could keep it up to a tick (4 ms, seen in the hovers).
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    if argv == ["--serve"]:
        return serve(sys.stdin.buffer, sys.stdout.buffer)
    versions = dict(a.split("=", 2)[1:] for a in argv if a.startswith("--version="))
    classes = dict(a.split("=", 2)[1:] for a in argv if a.startswith("--class="))
    sites = [Path(a) for a in argv if not a.startswith("--")]
    print(to_json(read_cached(sites, versions, classes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
