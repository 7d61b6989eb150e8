#!/usr/bin/env python3
"""Build the versioned catalogue of facts from the published transformers, trl and peft wheels.

The wheels are read as zip archives and parsed with `ast`; nothing from them is imported (no torch
needed). Only facts are written: names, annotation and default source text, effective defaults,
shape tokens, allowed values, versions, deprecations and doc paths. No docstring sentence is ever
copied: docstrings are only scanned for a `(batch_size, ...)` shape token, and warning messages only
for the names and version numbers they mention.

    python tools/build_catalogue.py --wheels DIR --out glossary_data/catalogue
    python tools/build_catalogue.py --download --versions 4.40,4.51 --out /tmp/cat

The same wheels give the same bytes (sorted keys, no timestamps, no absolute paths). See
glossary_data/README.md ("The generated catalogue") for the format and the decisions.
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
import zipfile
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from packaging.version import Version

SCHEMA = 1
PACKAGES = ("transformers", "trl", "peft")
DOCS = {
    "transformers": "https://huggingface.co/docs/transformers/{version}/en/",
    "trl": "https://huggingface.co/docs/trl/{version}/en/",
    "peft": "https://huggingface.co/docs/peft/{version}/en/",
}
# Oldest minor per package (the period the catalogue covers).
FIRST = {"transformers": Version("4.20"), "trl": Version("0.4"), "peft": Version("0.3")}
DEFAULT_CACHE = "~/.cache/transformers-glossary-ls/wheels"

_WHEEL_RE = re.compile(r"^(?P<name>[A-Za-z0-9_]+)-(?P<version>[^-]+)-.*\.whl$")
_SHAPE_RE = re.compile(r"(?m)^\s*(\w+) \(`[^`\n]*`[^\n]*?of shape `(\([^`\n]*\))`")
_SHAPE_OK = re.compile(r"^\([\w\s,.*+\-/`]*\)$")
_TORCH_DTYPE = re.compile(
    r"(?<![\w.])(?:torch\.)?(?:Long|Float|Bool|Int|Half|BFloat16|Double|Byte)?Tensor\b"
)
_ARG_HEADER = re.compile(r"(?m)^[ \t]*(\w+) \(`[^`\n]*`")
_OF_SHAPE = re.compile(r"of shape\s*`(\([^`]{0,200}?\))`")  # may wrap across lines
SHAPE_READ = 600  # how far into an argument's description a shape token is looked for
_DEPRECATED_SUBJECT = [
    re.compile(
        r"`(?:--)?(\w+)`(?: (?:argument|parameter|attribute|option|kwarg))?"
        r"(?: (?:is|are|has been|was))? deprecated"
    ),
    re.compile(r"[Uu]sing (?:the )?deprecated `(?:--)?(\w+)`"),
    re.compile(r"[Uu]sing `(?:--)?(\w+)` is deprecated"),
    re.compile(r"[Tt]he `(?:--)?(\w+)` (?:argument|parameter|attribute|kwarg) is deprecated"),
    # "Passing `tp_plan` directly to `from_pretrained` is deprecated": the keyword to that call
    # (not "Passing `fsdp` as a string", a value, nor "... in `videos_kwargs`", another place).
    re.compile(
        r"[Pp]assing `(?:--)?(\w+)`(?: (?:argument|parameter|kwarg))? (?:directly )?to "
        r"[^.]{0,80}?\b(?:is|are) deprecated"
    ),
]
_REPLACEMENT = [
    re.compile(r"[Uu]se `(?:--)?(\w+)[ =`]"),
    re.compile(r"`(?:--)?(\w+)` instead"),
    re.compile(r"in favou?r of `(?:--)?(\w+)`"),
    re.compile(r"renamed (?:to|into) `(?:--)?(\w+)`"),
    re.compile(r"`(?:--)?(\w+)` is preferred"),
    re.compile(r"[Pp]ass (?:it|them) (?:in|to|via|through|as) `(?:--)?(\w+)[ =`(]"),
]
_REMOVAL = re.compile(r"removed (?:in|from)[^0-9.]{0,40}?v?(\d+(?:\.\d+){0,2})")
_HEAD_FAMILY = re.compile(r"(For[A-Z]\w*)$")
_MODEL_FILE = re.compile(r"^transformers/models/([\w]+)/modeling_(?!tf_|flax_)(\w+)\.py$")


# --------------------------------------------------------------------------------------------
# Reading a wheel


_TREE_CACHE: dict[bytes, ast.Module | None] = {}


class Wheel:
    """A wheel read as text: modules parsed on demand, imports resolved across modules."""

    def __init__(self, path: Path, package: str):
        self.path = path
        self.package = package
        m = _WHEEL_RE.match(path.name)
        self.version = m.group("version") if m else "0"
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        self._trees: dict[str, ast.Module | None] = {}
        self._used: set[bytes] = set()
        self._ns: dict[str, dict] = {}

    def text(self, member: str) -> str | None:
        if member not in self.names:
            return None
        return self.zip.read(member).decode("utf-8", "replace")

    def tree(self, member: str) -> ast.Module | None:
        """Parsed module; trees of byte-identical files are shared with the previous wheel."""
        if member not in self._trees:
            data = self.zip.read(member) if member in self.names else None
            tree = None
            if data is not None:
                digest = hashlib.sha1(data).digest()
                tree = _TREE_CACHE.get(digest)
                if tree is None:
                    try:
                        tree = ast.parse(data.decode("utf-8", "replace"))
                    except SyntaxError:
                        tree = None
                    _TREE_CACHE[digest] = tree
                self._used.add(digest)
            self._trees[member] = tree
        return self._trees[member]

    def release_cache(self) -> None:
        """Keep only this wheel's trees for the next wheel of the same worker."""
        for digest in [d for d in _TREE_CACHE if d not in self._used]:
            del _TREE_CACHE[digest]

    def module_file(self, dotted: str) -> str | None:
        base = dotted.replace(".", "/")
        for cand in (base + ".py", base + "/__init__.py"):
            if cand in self.names:
                return cand
        return None

    def namespace(self, member: str) -> dict:
        """Top-level names of a module: class/def/assignment nodes, or ('import', mod, name)."""
        if member in self._ns:
            return self._ns[member]
        ns: dict = {}
        self._ns[member] = ns
        tree = self.tree(member)
        if tree is None:
            return ns
        pkg = member.rsplit("/", 1)[0].replace("/", ".")
        if member.endswith("/__init__.py"):
            pkg = member[: -len("/__init__.py")].replace("/", ".")

        def visit(body):
            for node in body:
                if isinstance(node, ast.ClassDef):
                    ns.setdefault(node.name, node)
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    # @overload stubs come first; the implementation (last, undecorated) wins.
                    if any(src(d).endswith("overload") for d in node.decorator_list):
                        ns.setdefault(node.name, node)
                    else:
                        ns[node.name] = node
                elif isinstance(node, ast.Assign):
                    for t in node.targets:
                        if isinstance(t, ast.Name):
                            ns[t.id] = node
                elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                    ns[node.target.id] = node
                elif isinstance(node, ast.ImportFrom):
                    if node.level:
                        parts = pkg.split(".")
                        parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                        mod = ".".join(parts + ([node.module] if node.module else []))
                    else:
                        mod = node.module or ""
                    for a in node.names:
                        ns.setdefault(a.asname or a.name, ("import", mod, a.name))
                elif isinstance(node, ast.If):
                    visit(node.body)
                    visit(node.orelse)
                elif isinstance(node, ast.Try):
                    visit(node.body)
                    for h in node.handlers:
                        visit(h.body)
                    visit(node.orelse)

        visit(tree.body)
        return ns

    def resolve(self, member: str, name: str, depth: int = 0):
        """(member, node) defining `name` as seen from module `member`, following imports."""
        if depth > 12 or member is None:
            return None
        entry = self.namespace(member).get(name)
        if entry is None:
            return None
        if isinstance(entry, tuple):
            _, mod, orig = entry
            target = self.module_file(mod)
            if target is None:
                sub = self.module_file(mod + "." + orig)
                return None if sub is None else (sub, None)
            return self.resolve(target, orig, depth + 1)
        return member, entry

    def resolve_class(self, member: str, expr: ast.expr):
        if isinstance(expr, ast.Name):
            got = self.resolve(member, expr.id)
        elif isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            got = self.resolve(member, expr.value.id)
            if got and got[1] is None:  # a module
                got = self.resolve(got[0], expr.attr)
            else:
                got = None
        else:
            got = None
        if got and isinstance(got[1], ast.ClassDef):
            return got
        return None


# --------------------------------------------------------------------------------------------
# Small ast helpers


def src(node) -> str | None:
    return None if node is None else ast.unparse(node)


def const_str(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def find_method(cls: ast.ClassDef, name: str):
    for node in cls.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node
    return None


def mro(wheel: Wheel, member: str, cls: ast.ClassDef, seen=None):
    """(member, ClassDef) of a class and its resolvable bases, depth-first, left to right."""
    seen = set() if seen is None else seen
    key = (member, cls.name, cls.lineno)
    if key in seen:
        return
    seen.add(key)
    yield member, cls
    for base in cls.bases:
        got = wheel.resolve_class(member, base)
        if got:
            yield from mro(wheel, got[0], got[1], seen)


def find_in_mro(wheel: Wheel, member: str, cls: ast.ClassDef, name: str):
    for m, c in mro(wheel, member, cls):
        fn = find_method(c, name)
        if fn is not None:
            return m, c, fn
    return None


def messages(node) -> list[str]:
    """String constants and f-strings (placeholders as `{}`) inside `node`, each whole."""
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.JoinedStr):
            out.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in n.values))
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and "deprecat" in n.value:
            out.append(n.value)
    # Implicitly concatenated literals are one Constant already; adjacent f-string parts are one
    # JoinedStr. A call's several string arguments are joined so a sentence split over them reads.
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            parts = [const_str(a) for a in n.args]
            if len(parts) > 1 and all(p is not None for p in parts):
                out.append(" ".join(parts))
    return [m for m in out if "deprecat" in m.lower()]


def parse_deprecations(texts, known: set[str] | None = None) -> dict[str, dict]:
    """{old_name: {"r": removal version or None, "n": replacement or None}} from messages."""
    out: dict[str, dict] = {}
    for text in texts:
        for rx in _DEPRECATED_SUBJECT:
            for m in rx.finditer(text):
                name = m.group(1)
                if known is not None and name not in known:
                    continue
                before = text[: m.start()].rstrip().rsplit(" ", 1)[-1].lower()
                if before in ("for", "of", "in", "with", "to", "on", "when"):
                    continue  # a value or use of `name` is deprecated, not the name itself
                rest = text[m.end() :]
                new = None
                for rrx in _REPLACEMENT:
                    mm = rrx.search(rest)
                    if mm and mm.group(1) != name and (known is None or mm.group(1) in known):
                        new = mm.group(1)
                        break
                rm = _REMOVAL.search(rest)
                rec = out.setdefault(name, {"r": None, "n": None})
                rec["r"] = rec["r"] or (rm.group(1) if rm else None)
                rec["n"] = rec["n"] or new
    return out


def loop_literal_names(fn, var: str, methods=("pop", "get")) -> dict[str, str | None]:
    """Keys read with `var.pop("x", d)`/`var.get("x", d)`, also in `for n in (...)` loops."""
    out: dict[str, str | None] = {}
    for node in ast.walk(fn):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            names = []
            if isinstance(node.iter, (ast.Tuple, ast.List, ast.Set)):
                names = [const_str(e) for e in node.iter.elts]
            if names and all(names):
                for sub in ast.walk(node):
                    if (
                        isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Attribute)
                        and sub.func.attr in methods
                        and isinstance(sub.func.value, ast.Name)
                        and sub.func.value.id == var
                        and sub.args
                        and isinstance(sub.args[0], ast.Name)
                        and sub.args[0].id == node.target.id
                    ):
                        for n in names:
                            out.setdefault(n, src(sub.args[1]) if len(sub.args) > 1 else None)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in methods
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == var
            and node.args
        ):
            key = const_str(node.args[0])
            if key and key.isidentifier():
                default = src(node.args[1]) if len(node.args) > 1 else None
                if key not in out or out[key] is None:
                    out[key] = default
    return out


def is_literal(source: str) -> bool:
    try:
        ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def ignored_in_loops(fn, var: str) -> set[str]:
    """Names popped in `for n in (...): _ = kwargs.pop(n, None)` and dropped: accepted, unused."""
    out: set[str] = set()
    for node in ast.walk(fn):
        if not (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, (ast.Tuple, ast.List, ast.Set))
        ):
            continue
        names = [const_str(e) for e in node.iter.elts]
        if not names or not all(names):
            continue
        for stmt in node.body:
            value = None
            if isinstance(stmt, ast.Expr):
                value = stmt.value
            elif (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and src(stmt.targets[0]) == "_"
            ):
                value = stmt.value
            if (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Attribute)
                and value.func.attr == "pop"
                and src(value.func.value) == var
            ):
                out.update(names)
    return out


def _dropped_pop(stmt, var: str) -> str | None:
    """The key of `_ = var.pop("x", ...)` or a bare `var.pop("x", ...)` statement."""
    value = None
    if isinstance(stmt, ast.Expr):
        value = stmt.value
    elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and src(stmt.targets[0]) == "_":
        value = stmt.value
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "pop"
        and src(value.func.value) == var
        and value.args
    ):
        key = const_str(value.args[0])
        return key if key and key.isidentifier() else None
    return None


def dropped_pops(fn, var: str) -> set[str]:
    """Names popped and thrown away by a statement of the function's own body
    (`_ = kwargs.pop("use_fast", None)`): accepted, no effect. Not when the name is read
    anywhere else in the function, nor when `var` was handed on (`f(**kwargs)`) before the
    drop: then something else may have read it (4.40 AutoTokenizer's `code_revision`)."""
    dropped = {}
    for stmt in fn.body:
        key = _dropped_pop(stmt, var)
        if key is not None:
            dropped.setdefault(key, stmt)
    if not dropped:
        return set()
    handed_on = [
        n.lineno
        for n in ast.walk(fn)
        if (isinstance(n, ast.keyword) and n.arg is None and src(n.value) == var)
        or (isinstance(n, ast.Call) and any(src(a) in (var, "*" + var) for a in n.args))
    ]
    out = set()
    for key, stmt in dropped.items():
        mentions = sum(1 for n in ast.walk(fn) if isinstance(n, ast.Constant) and n.value == key)
        if mentions == 1 and not any(line < stmt.lineno for line in handed_on):
            out.add(key)
    return out


def none_fallbacks(fn) -> dict[str, str]:
    """`if x is None: x = <literal>` → {x: source of literal}: the effective default."""
    out: dict[str, str] = {}
    for node in ast.walk(fn):
        if not isinstance(node, ast.If):
            continue
        t = node.test
        if (
            isinstance(t, ast.Compare)
            and isinstance(t.left, ast.Name)
            and len(t.ops) == 1
            and isinstance(t.ops[0], ast.Is)
            and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value is None
            and len(node.body) == 1
        ):
            stmt = node.body[0]
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == t.left.id
                and isinstance(stmt.value, ast.Constant)
            ):
                out.setdefault(t.left.id, src(stmt.value))
    return out


def enum_values(wheel: Wheel, member: str, cls: ast.ClassDef) -> list[str] | None:
    bases = [src(b) or "" for b in cls.bases]
    is_enum = any("Enum" in b for b in bases)
    if not is_enum:
        for b in cls.bases:
            got = wheel.resolve_class(member, b)
            if got and any("Enum" in (src(x) or "") for x in got[1].bases):
                is_enum = True
    if not is_enum:
        return None
    vals = []
    for node in cls.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if isinstance(node.value.value, (str, int)):
                vals.append(
                    repr(node.value.value)
                    if isinstance(node.value.value, int)
                    else json.dumps(node.value.value)
                )
    return vals or None


def choices_for(wheel: Wheel, member: str, ann) -> list[str] | None:
    """Allowed values named by an annotation: Literal[...] members, enum values."""
    if ann is None:
        return None
    vals: list[str] = []
    has_bool = False
    for node in ast.walk(ann):
        if isinstance(node, ast.Subscript) and src(node.value) in ("Literal", "typing.Literal"):
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for e in elts:
                if isinstance(e, ast.Constant):
                    vals.append(json.dumps(e.value) if isinstance(e.value, str) else repr(e.value))
        elif isinstance(node, ast.Name):
            if node.id == "bool":
                has_bool = True
            elif node.id[:1].isupper():
                got = wheel.resolve_class(member, node)
                if got:
                    ev = enum_values(wheel, got[0], got[1])
                    if ev:
                        vals.extend(ev)
    if not vals:
        return None
    if has_bool:
        vals = ["True", "False", *vals]
    return list(dict.fromkeys(vals))


def typed_dict_fields(wheel: Wheel, member: str, name_expr, depth=0) -> dict[str, tuple]:
    """Fields of a TypedDict (with its TypedDict bases): {name: (member, annotation)}."""
    got = wheel.resolve_class(member, name_expr)
    if not got or depth > 8:
        return {}
    m, cls = got
    out: dict[str, tuple] = {}
    for base in cls.bases:
        if src(base) not in ("TypedDict", "typing.TypedDict"):
            out.update(typed_dict_fields(wheel, m, base, depth + 1))
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = (m, node.annotation, src(node.value) if node.value else None)
    return out


def facts_of(wheel, member, name, ann, default, origin=None) -> dict:
    f: dict = {}
    if ann is not None:
        f["t"] = src(ann)
        m = _TORCH_DTYPE.search(f["t"])
        if m and not f["t"].startswith(("Callable", "typing.Callable")):  # a function, not a tensor
            f["dt"] = m.group(0) if m.group(0).startswith("torch.") else "torch." + m.group(0)
        ch = choices_for(wheel, member, ann)
        if ch:
            f["c"] = ch
    if default is not None:
        f["d"] = default
    if origin:
        f["k"] = origin
    return f


def signature(wheel: Wheel, member: str, fn, with_kwargs=True, var_kw_out=None) -> dict[str, dict]:
    """Parameters of a function, with `**kwargs: Unpack[TD]` resolved and decorator keywords."""
    out: dict[str, dict] = {}
    a = fn.args
    pos = a.posonlyargs + a.args
    defaults = [None] * (len(pos) - len(a.defaults)) + list(a.defaults)
    for arg, d in zip(pos, defaults, strict=True):
        if arg.arg in ("self", "cls"):
            continue
        out[arg.arg] = facts_of(wheel, member, arg.arg, arg.annotation, src(d))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        out[arg.arg] = facts_of(wheel, member, arg.arg, arg.annotation, src(d))
    if a.kwarg is not None and with_kwargs:
        ann = a.kwarg.annotation
        if isinstance(ann, ast.Subscript) and src(ann.value) in (
            "Unpack",
            "typing.Unpack",
            "typing_extensions.Unpack",
        ):
            td_name = src(ann.slice)
            for n, (m, fann, fdef) in typed_dict_fields(wheel, member, ann.slice).items():
                out.setdefault(n, facts_of(wheel, m, n, fann, fdef, origin=td_name))
        if var_kw_out is not None:
            var_kw_out.append(a.kwarg.arg)
    # Decorators: deprecate_kwarg(old, version, new_name=...) and wrappers that read kwargs.
    for dec in fn.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        fname = src(call.func if call else dec) or ""
        if fname.endswith("deprecate_kwarg") and call is not None:
            kw = {k.arg: k.value for k in call.keywords}
            old = const_str(call.args[0]) if call.args else const_str(kw.get("old_name"))
            ver = const_str(call.args[1]) if len(call.args) > 1 else const_str(kw.get("version"))
            new = const_str(kw.get("new_name")) or (
                const_str(call.args[2]) if len(call.args) > 2 else None
            )
            if old:
                rec = out.setdefault(old, {"k": "deprecate_kwarg"})
                if new and new in out:
                    for key in ("t", "dt", "c"):
                        if key in out[new] and key not in rec:
                            rec[key] = out[new][key]
                rec["x"] = {"r": ver, "n": new}
            continue
        target = call.func if call else dec
        if isinstance(target, ast.Name):
            got = wheel.resolve(member, target.id)
            if got and isinstance(got[1], ast.FunctionDef):
                for inner in ast.walk(got[1]):
                    if isinstance(inner, ast.FunctionDef) and inner.args.kwarg is not None:
                        for n, d in loop_literal_names(inner, inner.args.kwarg.arg).items():
                            if n not in out and not n.startswith("_"):
                                out[n] = {"k": "decorator:" + target.id}
                                if d is not None and is_literal(d):
                                    out[n]["d"] = d
    return out


def dataclass_fields(wheel: Wheel, member: str, cls: ast.ClassDef) -> dict[str, dict]:
    out: dict[str, dict] = {}
    help_texts: dict[str, str] = {}
    for node in cls.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        name = node.target.id
        if src(node.annotation).startswith("ClassVar") or name.startswith("_"):
            continue
        default = None
        val = node.value
        if isinstance(val, ast.Call) and src(val.func) in ("field", "dataclasses.field"):
            kw = {k.arg: k.value for k in val.keywords}
            if "default" in kw:
                default = src(kw["default"])
            elif "default_factory" in kw:
                default = src(kw["default_factory"]) + "()"
            md = kw.get("metadata")
            if isinstance(md, ast.Dict):
                for k, v in zip(md.keys, md.values, strict=True):
                    if const_str(k) == "help":
                        help_texts[name] = " ".join(
                            const_str(x) or "" for x in ast.walk(v) if isinstance(x, ast.Constant)
                        )
                    if const_str(k) == "choices" and isinstance(v, (ast.List, ast.Tuple)):
                        ch = [
                            json.dumps(e.value) if isinstance(e.value, str) else repr(e.value)
                            for e in v.elts
                            if isinstance(e, ast.Constant)
                        ]
                        if ch:
                            out.setdefault(name, {})["c"] = ch
        elif val is not None:
            default = src(val)
        f = facts_of(wheel, member, name, node.annotation, default)
        f.update(out.get(name, {}))
        out[name] = f
    # A field whose own help says it is deprecated.
    for name, text in help_texts.items():
        low = text.lower()
        if re.search(r"(?:argument|parameter|field|option) is deprecated|^\s*deprecated", low):
            rest = text
            new = None
            for rrx in _REPLACEMENT:
                mm = rrx.search(rest)
                if mm and mm.group(1) != name and mm.group(1) in out:
                    new = mm.group(1)
                    break
            rm = _REMOVAL.search(rest)
            out[name]["x"] = {"r": rm.group(1) if rm else None, "n": new}
    return out


def dataclass_with_bases(wheel, member, cls, stop=("TrainingArguments",)) -> tuple[dict, list]:
    """Fields of a dataclass and its in-package dataclass bases; names of bases left unmerged."""
    fields: dict[str, dict] = {}
    external = []
    chain = []
    for m, c in mro(wheel, member, cls):
        if c is not cls and c.name in stop:
            external.append(c.name)
            continue
        chain.append((m, c))
        for base in c.bases:  # a base from another package (trl: transformers.TrainingArguments)
            bname = (src(base) or "").rsplit(".", 1)[-1]
            if bname in stop and wheel.resolve_class(m, base) is None:
                external.append(bname)
    for m, c in reversed(chain):
        fields.update(dataclass_fields(wheel, m, c))
    post = [fn for m, c in chain for fn in [find_method(c, "__post_init__")] if fn is not None]
    deps = parse_deprecations([t for fn in post for t in messages(fn)], set(fields))
    for fn in post:
        for n, d in loop_pairs_deprecations(fn).items():
            if n in fields:
                deps.setdefault(n, d)
    for n, d in deps.items():
        if n in fields:
            have = fields[n].setdefault("x", {"r": None, "n": None})
            have["r"] = have["r"] or d["r"]
            have["n"] = have["n"] or d["n"]
    for _m, c in chain:
        for n, d in none_fallbacks_self(find_method(c, "__post_init__")).items():
            if n in fields and "e" not in fields[n] and fields[n].get("d") == "None":
                fields[n]["e"] = d
    return fields, external


def loop_pairs_deprecations(fn) -> dict[str, dict]:
    """`for old, new in (("a", "b"), ...): warn(f"`{old}` is deprecated ... `{new}`")`."""
    out: dict[str, dict] = {}
    for node in ast.walk(fn):
        if not (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Tuple)
            and isinstance(node.iter, (ast.Tuple, ast.List))
        ):
            continue
        msgs = messages(node)
        if not msgs or len(node.target.elts) != 2:
            continue
        rm = None
        for t in msgs:
            mm = _REMOVAL.search(t)
            rm = rm or (mm.group(1) if mm else None)
        for pair in node.iter.elts:
            if isinstance(pair, (ast.Tuple, ast.List)) and len(pair.elts) == 2:
                old, new = const_str(pair.elts[0]), const_str(pair.elts[1])
                if old and new:
                    out[old] = {"r": rm, "n": new}
    return out


def none_fallbacks_self(fn) -> dict[str, str]:
    """`if self.x is None: self.x = <literal>` inside __post_init__."""
    out: dict[str, str] = {}
    if fn is None:
        return out
    for node in ast.walk(fn):
        if not isinstance(node, ast.If) or len(node.body) != 1:
            continue
        t = node.test
        if (
            isinstance(t, ast.Compare)
            and isinstance(t.left, ast.Attribute)
            and src(t.left.value) == "self"
            and len(t.ops) == 1
            and isinstance(t.ops[0], ast.Is)
            and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value is None
        ):
            stmt = node.body[0]
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and src(stmt.targets[0]) == src(t.left)
                and isinstance(stmt.value, ast.Constant)
            ):
                out.setdefault(t.left.attr, src(stmt.value))
    return out


def function_callable(wheel, member, fn, known_extra=()) -> dict[str, dict]:
    """Signature + keywords popped from **kwargs + deprecations and effective defaults in body."""
    kwname: list[str] = []
    params = signature(wheel, member, fn, var_kw_out=kwname)
    if kwname:
        ignored = ignored_in_loops(fn, kwname[0]) | dropped_pops(fn, kwname[0])
        for n, d in loop_literal_names(fn, kwname[0]).items():
            if n.startswith("_"):
                continue
            rec = params.setdefault(n, {"k": "ignored" if n in ignored else "kwargs"})
            if d is not None and "d" not in rec:
                rec["d"] = d
    known = set(params) | set(known_extra)
    for n, d in parse_deprecations(messages(fn), known).items():
        if n in params and "x" not in params[n]:
            params[n]["x"] = d
    for old, new in bc_aliases(fn).items():
        if old in params and new in params and "x" not in params[old]:
            params[old]["x"] = {"r": None, "n": new}
    for n, e in none_fallbacks(fn).items():
        if n in params and params[n].get("d") in (None, "None") and "e" not in params[n]:
            params[n]["e"] = e
    return params


def bc_aliases(fn) -> dict[str, str]:
    """`new = new if new is not None else old`: `old` is read only as a fallback of `new`, an old
    name kept for backward compatibility (5.x `from_pretrained(torch_dtype=...)`)."""
    out: dict[str, str] = {}
    for node in ast.walk(fn):
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.IfExp)
        ):
            continue
        new, v = node.targets[0].id, node.value
        t = v.test
        if (
            isinstance(v.body, ast.Name)
            and v.body.id == new
            and isinstance(v.orelse, ast.Name)
            and v.orelse.id != new
            and isinstance(t, ast.Compare)
            and src(t.left) == new
            and len(t.ops) == 1
            and isinstance(t.ops[0], ast.IsNot)
            and isinstance(t.comparators[0], ast.Constant)
            and t.comparators[0].value is None
        ):
            out[v.orelse.id] = new
    return out


def helper_kwargs(wheel, member, cls, fn, var: str) -> dict[str, str | None]:
    """Keys popped from `var` by the class's own methods that `fn` hands `var` to by name
    (`self._extract_generation_mode_kwargs(..., kwargs, ...)`): keywords the call reads."""
    out: dict[str, str | None] = {}
    for node in ast.walk(fn):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and src(node.func.value) == "self"
        ):
            continue
        found = find_in_mro(wheel, member, cls, node.func.attr)
        if not found:
            continue
        helper = found[2]
        names = [a.arg for a in helper.args.args]
        offset = 1 if names[:1] == ["self"] else 0
        params = [
            names[i + offset]
            for i, a in enumerate(node.args)
            if isinstance(a, ast.Name) and a.id == var and i + offset < len(names)
        ]
        params += [k.arg for k in node.keywords if k.arg and src(k.value) == var]
        for param in params:
            for n, d in loop_literal_names(helper, param, ("pop",)).items():
                out.setdefault(n, d)
    return out


# --------------------------------------------------------------------------------------------
# transformers


def cls_at(wheel, member, name):
    got = wheel.resolve(member, name) if member else None
    return got if got and isinstance(got[1], ast.ClassDef) else None


def method_params(wheel, member, clsname, method, **kw):
    got = cls_at(wheel, member, clsname)
    if not got:
        return None
    found = find_in_mro(wheel, got[0], got[1], method)
    if not found:
        return None
    m, _, fn = found
    return function_callable(wheel, m, fn, **kw)


def union_of(parts: list[dict | None]) -> dict[str, dict]:
    """Each name with the facts of the first part that takes it, but not as `ignored` where
    another part reads it (4.50 `PreTrainedModel.from_pretrained` drops `trust_remote_code`,
    which the Auto classes read)."""
    out: dict[str, dict] = {}
    for part in parts:
        for n, f in (part or {}).items():
            if n not in out or (out[n].get("k") == "ignored" and f.get("k") != "ignored"):
                out[n] = dict(f)
    return out


def merge_into(dst: dict, src_: dict | None, origin=None):
    if not src_:
        return
    for n, f in src_.items():
        if n not in dst:
            dst[n] = dict(f)
            if origin and "k" not in dst[n]:
                dst[n]["k"] = origin


def shapes_in(texts) -> dict[str, str]:
    out: dict[str, str] = {}
    for text in texts:
        text = text.replace("{0}", "batch_size, sequence_length")
        for m in _SHAPE_RE.finditer(text):
            shape = m.group(2).replace("`", "")
            if _SHAPE_OK.match(shape):
                out.setdefault(m.group(1), shape)
        # The shape on a later line of the description (`hidden_states (...):\n  Tuple of ... of
        # shape (...)`), read up to the next documented argument.
        headers = list(_ARG_HEADER.finditer(text))
        for m, after in zip(headers, headers[1:] + [None], strict=False):
            if m.group(1) in out:
                continue
            end = min(after.start() if after else len(text), m.end() + SHAPE_READ)
            found = _OF_SHAPE.search(text, m.end(), end)
            if found:
                shape = " ".join(found.group(1).replace("`", "").split())
                if _SHAPE_OK.match(shape):
                    out[m.group(1)] = shape
    return out


def module_shapes(text: str | None) -> dict[str, str]:
    """Shape tokens of documented arguments in a module's source text (docstrings)."""
    return shapes_in([text]) if text else {}


def auto_docstring_shapes(wheel) -> dict[str, str]:
    out: dict[str, str] = {}
    for member in ("transformers/utils/auto_docstring.py", "transformers/utils/args_doc.py"):
        tree = wheel.tree(member)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Dict)
            ):
                for k, v in zip(node.value.keys, node.value.values, strict=True):
                    s = const_str(v)
                    if const_str(k) == "shape" and s:
                        m = re.search(r"`(\([^`]*\))`", s)
                        if m and _SHAPE_OK.match(m.group(1)):
                            out.setdefault(node.targets[0].id, m.group(1))
    return out


def head_family(name: str) -> str | None:
    if name.endswith("PreTrainedModel"):
        return None
    m = _HEAD_FAMILY.search(name)
    if m:
        return m.group(1)
    for suffix in ("LMHeadModel", "Model", "Backbone"):
        if name.endswith(suffix):
            return suffix
    return None


def public_names(wheel, member, model_dir, stem) -> list[str]:
    tree = wheel.tree(member)
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            return [s for s in (const_str(e) for e in node.value.elts) if s]
    init = wheel.tree(f"transformers/models/{model_dir}/__init__.py")
    names: list[str] = []
    if init is not None:
        key = f"modeling_{stem}"
        for node in ast.walk(init):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                t = node.targets[0]
                if (
                    isinstance(t, ast.Subscript)
                    and const_str(t.slice) == key
                    and isinstance(node.value, (ast.List, ast.Tuple))
                ):
                    names += [s for s in (const_str(e) for e in node.value.elts) if s]
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if const_str(k) == key and isinstance(v, (ast.List, ast.Tuple)):
                        names += [s for s in (const_str(e) for e in v.elts) if s]
    return names


def extract_models(wheel) -> tuple[dict, dict]:
    """Forward parameters per public PyTorch model class: {class: (dir, family, params)}."""
    global_shapes = auto_docstring_shapes(wheel)
    classes: dict[str, tuple] = {}
    for member in sorted(wheel.names):
        m = _MODEL_FILE.match(member)
        if not m:
            continue
        model_dir, stem = m.groups()
        tree = wheel.tree(member)
        if tree is None:
            continue
        local_shapes = module_shapes(wheel.text(member))
        for cname in public_names(wheel, member, model_dir, stem):
            fam = head_family(cname)
            if fam is None or cname in classes:
                continue
            got = cls_at(wheel, member, cname)
            if not got:
                continue
            found = find_in_mro(wheel, got[0], got[1], "forward")
            if not found:
                continue
            fm, fcls, fn = found
            params = signature(wheel, fm, fn)
            shapes = local_shapes if fm == member else module_shapes(wheel.text(fm))
            for n, f in params.items():
                s = shapes.get(n) or global_shapes.get(n)
                if s:
                    f["s"] = s
            classes[cname] = (model_dir, fam, params)
    return classes


def mode_facts(items: list[dict]) -> dict:
    counts = Counter(json.dumps(f, sort_keys=True) for f in items)
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
    return json.loads(best)


def extract_transformers(wheel: Wheel) -> dict:
    T = "transformers/"
    out: dict[str, dict] = {}

    def put(key, kind, params, path, base=None):
        if params is None:
            return
        out[key] = {"kind": kind, "path": path, "params": params}
        if base:
            out[key]["base"] = base

    # TrainingArguments and Seq2SeqTrainingArguments.
    ta = cls_at(wheel, T + "training_args.py", "TrainingArguments")
    if ta:
        fields, _ = dataclass_with_bases(wheel, ta[0], ta[1], stop=())
        report_to = reporting_integrations(wheel, ta[0], ta[1])
        if report_to and "report_to" in fields:
            fields["report_to"]["c"] = report_to
        put(
            "training_args",
            "training_args",
            fields,
            "main_classes/trainer#transformers.TrainingArguments",
        )
    s2s = cls_at(wheel, T + "training_args_seq2seq.py", "Seq2SeqTrainingArguments")
    if s2s:
        fields, _ = dataclass_with_bases(wheel, s2s[0], s2s[1])
        put(
            "Seq2SeqTrainingArguments",
            "training_args",
            fields,
            "main_classes/trainer#transformers.Seq2SeqTrainingArguments",
            base=["training_args"],
        )

    # GenerationConfig and generate().
    gc_member = T + "generation/configuration_utils.py"
    gc = cls_at(wheel, gc_member, "GenerationConfig")
    if gc:
        init = find_method(gc[1], "__init__")
        params = {}
        if init is not None:
            for n, d in loop_literal_names(
                init, init.args.kwarg.arg if init.args.kwarg else "kwargs", ("pop",)
            ).items():
                if not n.startswith("_"):
                    params[n] = {"d": d} if d is not None else {}
            for n, d in parse_deprecations(messages(gc[1]), set(params)).items():
                if n in params:
                    params[n]["x"] = d
        dflt = find_method(gc[1], "_get_default_generation_params")
        if dflt is not None:
            for node in ast.walk(dflt):
                if isinstance(node, ast.Dict):
                    for k, v in zip(node.keys, node.values, strict=True):
                        n = const_str(k)
                        if n in params and params[n].get("d") in (None, "None"):
                            if src(v) != "None":
                                params[n]["e"] = src(v)
        put(
            "generation_config",
            "generation_config",
            params,
            "main_classes/text_generation#transformers.GenerationConfig",
        )
    gm = None
    for member in (T + "generation/utils.py", T + "generation_utils.py"):
        gm = method_params(wheel, member, "GenerationMixin", "generate")
        if gm:
            # 4.57+ pops `tokenizer` and `assistant_tokenizer` in a helper it hands kwargs to.
            cls = cls_at(wheel, member, "GenerationMixin")
            found = find_in_mro(wheel, cls[0], cls[1], "generate")
            fn = found[2]
            if fn.args.kwarg is not None:
                for n, d in helper_kwargs(wheel, found[0], cls[1], fn, fn.args.kwarg.arg).items():
                    if not n.startswith("_") and n not in gm:
                        gm[n] = {"k": "kwargs", **({"d": d} if d is not None else {})}
            break
    for member in (T + "generation/utils.py", T + "generation_utils.py"):
        text = wheel.text(member)
        if gm and text:  # shapes its docstring states (`negative_prompt_ids`)
            shapes = shapes_in([text])
            for n, f in gm.items():
                if n in shapes and "s" not in f:
                    f["s"] = shapes[n]
            break
    put(
        "generate",
        "generate",
        gm,
        "main_classes/text_generation#transformers.GenerationMixin.generate",
        base=["generation_config"] if gc else None,
    )

    # from_pretrained: models, tokenizers, processors, configs, image processors.
    fp = {}
    for key, member, cname, path in (
        (
            "model",
            "modeling_utils.py",
            "PreTrainedModel",
            "main_classes/model#transformers.PreTrainedModel.from_pretrained",
        ),
        (
            "tokenizer",
            "tokenization_utils_base.py",
            "PreTrainedTokenizerBase",
            "main_classes/tokenizer#transformers.PreTrainedTokenizer.from_pretrained",
        ),
        (
            "processor",
            "processing_utils.py",
            "ProcessorMixin",
            "main_classes/processors#transformers.ProcessorMixin.from_pretrained",
        ),
        (
            "config",
            "configuration_utils.py",
            "PretrainedConfig",
            "main_classes/configuration#transformers.PretrainedConfig.from_pretrained",
        ),
    ):
        got = cls_at(wheel, T + member, cname) or (
            cls_at(wheel, T + member, "PreTrainedConfig") if key == "config" else None
        )
        if not got:
            continue
        params: dict[str, dict] = {}
        for meth in (
            "from_pretrained",
            "_from_pretrained",
            "get_config_dict",
            "_get_config_dict",
            "get_processor_dict",
        ):
            fn = find_method(got[1], meth)
            if fn is not None:
                merge_into(params, function_callable(wheel, got[0], fn))
        params.pop("pretrained_model_name_or_path", None)
        params = {n: f for n, f in params.items() if not n.startswith("_")}
        put("from_pretrained:" + key, "from_pretrained", params, path)
        fp[key] = params
    auto = auto_from_pretrained(wheel, fp)
    for name, (params, base) in auto.items():
        put(
            "from_pretrained:" + name,
            "from_pretrained",
            params,
            f"model_doc/auto#transformers.{name}.from_pretrained",
            base=["from_pretrained:" + base],
        )
    if fp:
        union = union_of([fp.get(key) for key in ("model", "tokenizer", "processor", "config")])
        # Then the Auto classes' own, in AUTO_FROM_PRETRAINED's order: a `use_fast` variable
        # reads as AutoTokenizer's, not AutoImageProcessor's.
        for params, _base in auto.values():
            merge_into(union, params)
        put(
            "from_pretrained",
            "from_pretrained",
            union,
            "main_classes/model#transformers.PreTrainedModel.from_pretrained",
        )
    # Attention implementations as choices of attn_implementation.
    mu = T + "modeling_utils.py"
    impls = attention_implementations(wheel, mu)
    if impls and "from_pretrained" in out:
        for key in ("from_pretrained", "from_pretrained:model"):
            rec = (
                out.get(key, {})
                .get("params", {})
                .setdefault("attn_implementation", {"k": "kwargs"})
            )
            rec["c"] = impls

    # Tokenizer call.
    tok: dict[str, dict] = {}
    for meth in ("__call__", "encode", "pad", "encode_plus", "batch_encode_plus"):
        merge_into(
            tok,
            method_params(wheel, T + "tokenization_utils_base.py", "PreTrainedTokenizerBase", meth),
        )
    put("tokenizer", "tokenizer", tok, "main_classes/tokenizer#transformers.PreTrainedTokenizer")

    # Processor call and processor kwargs TypedDicts; image processor options.
    pu = T + "processing_utils.py"
    proc: dict[str, dict] = {}
    merge_into(proc, method_params(wheel, pu, "ProcessorMixin", "__call__"))
    for td in ("TextKwargs", "ImagesKwargs", "VideosKwargs", "AudioKwargs", "CommonKwargs"):
        if cls_at(wheel, pu, td):
            for n, (m, ann, d) in typed_dict_fields(wheel, pu, ast.Name(td)).items():
                proc.setdefault(n, facts_of(wheel, m, n, ann, d, origin=td))
    put(
        "processor",
        "processor",
        proc or None,
        "main_classes/processors#transformers.ProcessorMixin",
    )
    img: dict[str, dict] = {}
    if cls_at(wheel, pu, "ImagesKwargs"):
        for n, (m, ann, d) in typed_dict_fields(wheel, pu, ast.Name("ImagesKwargs")).items():
            img[n] = facts_of(wheel, m, n, ann, d, origin="ImagesKwargs")
    merge_into(
        img,
        method_params(
            wheel, T + "image_processing_utils_fast.py", "BaseImageProcessorFast", "preprocess"
        ),
    )
    if img:
        img.pop("kwargs", None)
        put(
            "image_processor",
            "image_processor",
            img,
            "main_classes/image_processor#transformers.ImageProcessingMixin",
        )
    vid: dict[str, dict] = {}
    if cls_at(wheel, pu, "VideosKwargs"):
        for n, (m, ann, d) in typed_dict_fields(wheel, pu, ast.Name("VideosKwargs")).items():
            vid[n] = facts_of(wheel, m, n, ann, d, origin="VideosKwargs")
        put("video_processor", "video_processor", vid, "main_classes/video_processor")

    # Trainer.
    put(
        "trainer",
        "trainer",
        method_params(wheel, T + "trainer.py", "Trainer", "__init__"),
        "main_classes/trainer#transformers.Trainer",
    )
    s2st = method_params(wheel, T + "trainer_seq2seq.py", "Seq2SeqTrainer", "__init__")
    put("Seq2SeqTrainer", "trainer", s2st, "main_classes/trainer#transformers.Seq2SeqTrainer")

    # pipeline() and its tasks.
    pi = T + "pipelines/__init__.py"
    tree = wheel.tree(pi)
    if tree is not None:
        ns = wheel.namespace(pi)
        fn = ns.get("pipeline")
        if isinstance(fn, ast.FunctionDef):
            put(
                "pipeline",
                "pipeline",
                function_callable(wheel, pi, fn),
                "main_classes/pipelines#transformers.pipeline",
            )
        tasks: dict[str, dict] = {}
        st = ns.get("SUPPORTED_TASKS")
        if isinstance(st, ast.Assign) and isinstance(st.value, ast.Dict):
            for k in st.value.keys:
                if const_str(k):
                    tasks[const_str(k)] = {}
        al = ns.get("TASK_ALIASES")
        if isinstance(al, ast.Assign) and isinstance(al.value, ast.Dict):
            for k, v in zip(al.value.keys, al.value.values, strict=True):
                if const_str(k) and const_str(v):
                    tasks[const_str(k)] = {"a": const_str(v)}
        if tasks:
            put("pipeline_task", "pipeline_task", tasks, "main_classes/pipelines")
            if "pipeline" in out and "task" in out["pipeline"]["params"]:
                out["pipeline"]["params"]["task"]["c"] = sorted(json.dumps(t) for t in tasks)

    # Model outputs.
    mo = T + "modeling_outputs.py"
    tree = wheel.tree(mo)
    text = wheel.text(mo) or ""
    union: dict[str, dict] = {}
    if tree is not None:
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.bases:
                fields = {}
                for m, c in reversed(list(mro(wheel, mo, node))):
                    if c.name == "ModelOutput":
                        continue
                    for st in c.body:
                        if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                            fields[st.target.id] = facts_of(
                                wheel, m, st.target.id, st.annotation, src(st.value)
                            )
                if fields:
                    shapes = shapes_in([ast.get_source_segment(text, node) or ""])
                    for n, f in fields.items():
                        if n in shapes:
                            f["s"] = shapes[n]
                    put(
                        node.name,
                        "model_output",
                        fields,
                        f"main_classes/output#transformers.modeling_outputs.{node.name}",
                    )
                    for n, f in fields.items():
                        union.setdefault(n, dict(f))
        put("model_output", "model_output", union, "main_classes/output")

    # Config attributes: PretrainedConfig.__init__ and the most common model-config arguments.
    cu = T + "configuration_utils.py"
    cfg_cls = cls_at(wheel, cu, "PreTrainedConfig") or cls_at(wheel, cu, "PretrainedConfig")
    cfg: dict[str, dict] = {}
    if cfg_cls:
        init = find_method(cfg_cls[1], "__init__")
        if init is not None:
            cfg = function_callable(wheel, cfg_cls[0], init)
        for st in cfg_cls[1].body:
            if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                n = st.target.id
                if not n.startswith("_"):
                    cfg.setdefault(n, facts_of(wheel, cfg_cls[0], n, st.annotation, src(st.value)))
    counts: Counter = Counter()
    types: dict[str, Counter] = defaultdict(Counter)
    total = 0
    for member in sorted(wheel.names):
        if not re.match(r"^transformers/models/\w+/configuration_\w+\.py$", member):
            continue
        tree = wheel.tree(member)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name.endswith("Config"):
                total += 1
                fn = find_method(node, "__init__")
                names = set()
                if fn is not None:
                    for a in fn.args.args + fn.args.kwonlyargs:
                        names.add(a.arg)
                        if a.annotation is not None:
                            types[a.arg][src(a.annotation)] += 1
                for st in node.body:  # 5.x configs are dataclasses
                    if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name):
                        names.add(st.target.id)
                        types[st.target.id][src(st.annotation)] += 1
                counts.update(n for n in names if n not in ("self",) and not n.startswith("_"))
    threshold = max(10, total // 20)
    for n, c in counts.items():
        if c >= threshold and n not in cfg and n != "kwargs":
            rec = {"k": "model_configs"}
            if types[n]:
                rec["t"] = types[n].most_common(1)[0][0]
            cfg[n] = rec
    cfg.pop("kwargs", None)
    put("config", "config", cfg, "main_classes/configuration#transformers.PretrainedConfig")

    # Model forwards: per family (mode of the class facts for each name) and per class.
    classes = extract_models(wheel)
    fam_params: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for _cname, (_d, fam, params) in classes.items():
        for n, f in params.items():
            fam_params[fam][n].append(f)
    all_model: dict[str, list] = defaultdict(list)
    for fam, names in fam_params.items():
        params = {n: mode_facts(fs) for n, fs in names.items()}
        put("model:" + fam, "model", params, "model_doc/auto")
        for n, fs in names.items():
            all_model[n].extend(fs)
    put("model", "model", {n: mode_facts(fs) for n, fs in all_model.items()}, "model_doc/auto")
    return {"callables": out, "classes": {c: [d, fam, p] for c, (d, fam, p) in classes.items()}}


# Auto classes whose `from_pretrained` reads keywords of its own (`use_fast`, `tokenizer_type`,
# `trust_remote_code`, ...) before handing the rest to the class it picks: (name, module under
# `models/auto/`, the class defining it, the `from_pretrained:` callable the rest goes to).
AUTO_FROM_PRETRAINED = (
    ("AutoModel", "auto_factory.py", "_BaseAutoModelClass", "model"),
    ("AutoTokenizer", "tokenization_auto.py", "AutoTokenizer", "tokenizer"),
    ("AutoConfig", "configuration_auto.py", "AutoConfig", "config"),
    ("AutoProcessor", "processing_auto.py", "AutoProcessor", "processor"),
    ("AutoImageProcessor", "image_processing_auto.py", "AutoImageProcessor", "processor"),
    ("AutoFeatureExtractor", "feature_extraction_auto.py", "AutoFeatureExtractor", "processor"),
    ("AutoVideoProcessor", "video_processing_auto.py", "AutoVideoProcessor", "processor"),
)


def auto_from_pretrained(wheel, taken: dict[str, dict]) -> dict[str, tuple[dict, str]]:
    """{Auto class: (params, base)}: what each Auto class's `from_pretrained` reads itself,
    over its base (the class it hands on to, `taken[base]`). A name the base also takes is
    left to the base's facts, unless the Auto class drops it or warns that it is deprecated,
    or the base drops it (4.50 `trust_remote_code`: read by the Auto class, not the model's)."""
    out: dict[str, tuple[dict, str]] = {}
    for name, module, cname, base in AUTO_FROM_PRETRAINED:
        got = cls_at(wheel, "transformers/models/auto/" + module, cname)
        fn = find_method(got[1], "from_pretrained") if got else None
        if fn is None:
            continue
        own = taken.get(base, {})
        params = function_callable(wheel, got[0], fn)
        for n, d in helper_deprecations(wheel, got[0], fn, set(params)).items():
            if n in params and "x" not in params[n]:
                params[n]["x"] = d
        out[name] = (
            {
                n: f
                for n, f in params.items()
                if not n.startswith("_")
                and n != "pretrained_model_name_or_path"
                and (n not in own or "x" in f or "ignored" in (f.get("k"), own[n].get("k")))
            },
            base,
        )
    return out


def helper_deprecations(wheel, member, fn, known: set[str]) -> dict[str, dict]:
    """Deprecations warned by the module's functions that `fn` hands a keyword to under its
    own name (5.x AutoImageProcessor: `_resolve_backend(backend, use_fast, ...)` warns that
    `use_fast` is deprecated): only for the parameters the call fills."""
    out: dict[str, dict] = {}
    for node in ast.walk(fn):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        got = wheel.resolve(member, node.func.id)
        if not (got and isinstance(got[1], ast.FunctionDef)):
            continue
        helper = got[1]
        names = [a.arg for a in helper.args.posonlyargs + helper.args.args]
        given = {
            names[i]
            for i, a in enumerate(node.args)
            if i < len(names) and isinstance(a, ast.Name) and a.id == names[i]
        }
        given |= {
            k.arg
            for k in node.keywords
            if k.arg and isinstance(k.value, ast.Name) and k.value.id == k.arg
        }
        given &= known
        if given:
            for n, d in parse_deprecations(messages(helper), known).items():
                if n in given:
                    out.setdefault(n, d)
    return out


def reporting_integrations(wheel, member, cls) -> list[str] | None:
    """Values of `report_to`: the keys of `INTEGRATION_TO_CALLBACK` (Trainer raises ValueError
    on any other) and the strings `__post_init__` compares `self.report_to` with ("all", "none")."""
    keys: list[str] = []
    for mod in ("transformers/integrations/integration_utils.py", "transformers/integrations.py"):
        tree = wheel.tree(mod)
        if tree is None:
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and src(node.targets[0]) == "INTEGRATION_TO_CALLBACK"
                and isinstance(node.value, ast.Dict)
            ):
                keys = [const_str(k) for k in node.value.keys if const_str(k)]
        if keys:
            break
    if not keys:
        return None
    post = find_method(cls, "__post_init__")
    special: list[str] = []
    for node in ast.walk(post) if post is not None else ():
        if isinstance(node, ast.Compare) and src(node.left) == "self.report_to":
            for c in node.comparators:
                if const_str(c) and const_str(c) not in keys + special:
                    special.append(const_str(c))
    return [json.dumps(v) for v in special + keys]


def attention_implementations(wheel, mu) -> list[str] | None:
    got = cls_at(wheel, mu, "AttentionInterface")
    names: list[str] = []
    if got:
        for st in got[1].body:
            targets = (
                st.targets
                if isinstance(st, ast.Assign)
                else ([st.target] if isinstance(st, ast.AnnAssign) else [])
            )
            if any(src(t) == "_global_mapping" for t in targets) and isinstance(st.value, ast.Dict):
                names = [const_str(k) for k in st.value.keys if const_str(k)]
        if names:
            return [json.dumps(n) for n in ["eager", *names]]
    tree = wheel.tree(mu)
    if tree is None:
        return None
    known = ("eager", "sdpa", "flash_attention_2", "flash_attention_3", "flex_attention")
    seen = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value in known}
    return [json.dumps(n) for n in known if n in seen] or None


# --------------------------------------------------------------------------------------------
# trl and peft


def extract_configs(
    wheel: Wheel, roots: tuple[str, ...], suffixes=("Config",), stop=("TrainingArguments",)
) -> dict:
    out: dict[str, dict] = {}
    for member in sorted(wheel.names):
        if not member.endswith(".py") or not member.startswith(roots):
            continue
        tree = wheel.tree(member)
        if tree is None:
            continue
        for node in tree.body:
            if not (isinstance(node, ast.ClassDef) and node.name.endswith(suffixes)):
                continue
            if node.name.startswith("_") or node.name in out:
                continue
            if not any("dataclass" in (src(d) or "") for d in node.decorator_list):
                continue
            fields, external = dataclass_with_bases(wheel, member, node, stop=stop)
            if not fields:
                continue
            rec = {
                "kind": "config",
                "path": doc_path(wheel.package, member, node.name),
                "params": fields,
            }
            if external:
                rec["base"] = ["transformers:training_args"]
            out[node.name] = rec
    return out


def doc_path(package: str, member: str, cls: str) -> str:
    """Doc page + anchor of a trl/peft class: trl groups a config with its trainer's page."""
    parts = member[:-3].split("/")
    if package == "trl":
        stem = parts[-1]
        for suffix in ("_config", "_trainer"):
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
        return f"{stem}_trainer#trl.{cls}"
    if package == "peft":
        if "tuners" in parts and parts.index("tuners") + 1 < len(parts) - 1:
            return f"package_reference/{parts[parts.index('tuners') + 1]}#peft.{cls}"
        return f"package_reference/config#peft.{cls}"
    return f"#{cls}"


def extract_trainers(wheel: Wheel, root: str) -> dict:
    out: dict[str, dict] = {}
    for member in sorted(wheel.names):
        if not (member.startswith(root) and member.endswith(".py")):
            continue
        tree = wheel.tree(member)
        if tree is None:
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.ClassDef)
                and node.name.endswith("Trainer")
                and not node.name.startswith("_")
                and node.name not in out
            ):
                fn = find_method(node, "__init__")
                if fn is not None:
                    params = function_callable(wheel, member, fn)
                    out[node.name] = {
                        "kind": "trainer",
                        "path": doc_path(wheel.package, member, node.name),
                        "params": params,
                    }
    return out


def extract_trl(wheel: Wheel) -> dict:
    cfg = extract_configs(wheel, ("trl/trainer/", "trl/experimental/"))
    for rec in cfg.values():
        rec["kind"] = "trl_config"
    tr = extract_trainers(wheel, "trl/trainer/")
    return {"callables": {**tr, **cfg}}


def extract_peft(wheel: Wheel) -> dict:
    cfg = extract_configs(wheel, ("peft/",), stop=())
    cfg = {k: v for k, v in cfg.items() if k not in ("PeftConfigMixin",)}
    for rec in cfg.values():
        rec["kind"] = "peft_config"
    return {"callables": cfg}


EXTRACT = {"transformers": extract_transformers, "trl": extract_trl, "peft": extract_peft}


def extract(args) -> tuple[str, str, dict]:
    package, path = args
    wheel = Wheel(Path(path), package)
    data = EXTRACT[package](wheel)
    wheel.release_cache()
    return package, wheel.version, data


# --------------------------------------------------------------------------------------------
# Merging releases into ranges


def runs(values: list) -> list:
    """[[first, last, facts], ...] over release indices where values[i] is not None."""
    out: list = []
    for i, v in enumerate(values):
        if v is None:
            continue
        if out and out[-1][1] == i - 1 and out[-1][2] == v:
            out[-1][1] = i
        else:
            out.append([i, i, v])
    return out


def merge(package: str, per_release: list[tuple[str, dict]]) -> dict:
    releases = [f"{Version(v).major}.{Version(v).minor}" for v, _ in per_release]
    wheels = [v for v, _ in per_release]
    n = len(per_release)
    keys = sorted({k for _, d in per_release for k in d["callables"]})
    callables: dict = {}
    for key in keys:
        recs = [d["callables"].get(key) for _, d in per_release]
        newest = next(r for r in reversed(recs) if r is not None)
        names = sorted({p for r in recs if r for p in r["params"]})
        params = {}
        for name in names:
            vals = [r["params"].get(name) if r else None for r in recs]
            params[name] = runs(vals)
        entry = {
            "kind": newest["kind"],
            "path": newest["path"],
            "params": params,
            "present": [[a, b] for a, b, _ in runs([True if r else None for r in recs])],
        }
        if "base" in newest:
            entry["base"] = newest["base"]
        callables[key] = entry
    out = {
        "schema": SCHEMA,
        "package": package,
        "releases": releases,
        "wheels": wheels,
        "docs": DOCS[package],
        "callables": callables,
    }
    return out, (per_release[-1][1].get("classes") if n else None)


def classes_file(package: str, version: str, classes: dict) -> dict:
    facts: list = []
    index: dict[str, int] = {}
    out_classes = {}
    for cname in sorted(classes):
        model_dir, fam, params = classes[cname]
        refs = {}
        for name in sorted(params):
            key = json.dumps(params[name], sort_keys=True)
            if key not in index:
                index[key] = len(facts)
                facts.append(params[name])
            refs[name] = index[key]
        out_classes[cname] = {"dir": model_dir, "family": fam, "params": refs}
    return {
        "schema": SCHEMA,
        "package": package,
        "release": version,
        "facts": facts,
        "classes": out_classes,
        "path": "model_doc/{dir}#transformers.{cls}.forward",
    }


def dump(obj) -> bytes:
    return (
        json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    ).encode("utf-8")


# --------------------------------------------------------------------------------------------
# Wheels on disk


def cache_dir() -> Path:
    return Path(os.environ.get("TGLS_WHEEL_CACHE") or os.path.expanduser(DEFAULT_CACHE))


def find_wheels(root: Path, package: str) -> dict[str, Path]:
    """{minor: path of the newest patch wheel of that minor} under root (any depth)."""
    best: dict[str, tuple[Version, Path]] = {}
    for p in sorted(root.rglob(f"{package}-*.whl")):
        m = _WHEEL_RE.match(p.name)
        if not m or m.group("name").lower() != package:
            continue
        try:
            v = Version(m.group("version"))
        except Exception:
            continue
        if v.is_prerelease or v.is_devrelease or v < FIRST[package]:
            continue
        minor = f"{v.major}.{v.minor}"
        if minor not in best or v > best[minor][0]:
            best[minor] = (v, p)
    return {k: best[k][1] for k in sorted(best, key=Version)}


def download(package: str, versions: list[str], root: Path, dest: Path) -> None:
    """pip download the newest patch of each requested minor (X.Y) missing under `root`."""
    dest.mkdir(parents=True, exist_ok=True)
    have = find_wheels(root, package)
    for v in versions:
        if v in have:
            continue
        spec = f"{package}=={v}" if v.count(".") >= 2 else f"{package}~={v}.0"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                "--quiet",
                "-d",
                str(dest),
                spec,
            ],
            check=True,
        )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--wheels",
        type=Path,
        help="directory with the wheels (searched recursively); default: the cache",
    )
    ap.add_argument("--download", action="store_true", help="pip download missing wheels first")
    ap.add_argument(
        "--versions",
        default="",
        help="transformers minors, e.g. 4.40,4.51,5.25 (default: every minor found)",
    )
    ap.add_argument("--trl-versions", default="", help="trl minors (default: every one found)")
    ap.add_argument("--peft-versions", default="", help="peft minors (default: every one found)")
    ap.add_argument("--packages", default=",".join(PACKAGES))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    root = args.wheels or cache_dir()
    wanted = {"transformers": args.versions, "trl": args.trl_versions, "peft": args.peft_versions}
    packages = [p for p in args.packages.split(",") if p]
    if args.download:
        for p in packages:
            vs = [v for v in wanted[p].split(",") if v]
            if not vs:
                sys.exit(f"--download needs explicit versions for {p}")
            download(p, vs, root, root / p if args.wheels is None else root)
    jobs = []
    for p in packages:
        found = find_wheels(root, p)
        vs = [v.strip() for v in wanted[p].split(",") if v.strip()]
        if vs:
            missing = [v for v in vs if v not in found]
            if missing:
                sys.exit(f"no {p} wheel for {', '.join(missing)} under {root}")
            found = {v: found[v] for v in vs}
        jobs += [(p, str(path)) for path in found.values()]
    if not jobs:
        sys.exit(f"no wheels under {root}")
    results: dict[str, list] = defaultdict(list)
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        # Contiguous chunks: a worker sees consecutive releases and reuses unchanged files' trees.
        chunk = max(1, len(jobs) // (2 * max(1, args.jobs)))
        for package, version, data in pool.map(extract, jobs, chunksize=chunk):
            results[package].append((version, data))
            print(f"{package} {version}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        rows = results.get(package)
        if not rows:
            continue
        rows.sort(key=lambda r: Version(r[0]))
        merged, classes = merge(package, rows)
        write_package(args.out, package, merged)
        if classes:
            cf = classes_file(package, rows[-1][0], classes)
            (args.out / f"{package}-models.json").write_bytes(dump(cf))
    write_index(args.out)
    return 0


def write_package(out: Path, package: str, merged: dict) -> None:
    """A package as `<package>/meta.json` plus one file per callable, so that the server reads
    only the callables a request asks about (a few kB each, instead of the whole package)."""
    folder = out / package
    if folder.is_dir():
        for old in folder.glob("*.json"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    meta = {k: v for k, v in merged.items() if k != "callables"}
    meta["callables"] = sorted(merged["callables"])
    (folder / "meta.json").write_bytes(dump(meta))
    for key, entry in merged["callables"].items():
        (folder / callable_file(key)).write_bytes(dump(entry))


def callable_file(key: str) -> str:
    """`model:ForCausalLM` -> `model--ForCausalLM.json` (the reader has the same rule)."""
    return key.replace(":", "--") + ".json"


def write_index(out: Path) -> None:
    """index.json from every package folder in `out`: one package can be regenerated alone.
    Beside it, names.json: every name any callable or model class takes in any release, so
    that the reader can tell at once that a name (`window = ...`) is no keyword of anything."""
    index: dict = {"schema": SCHEMA, "packages": {}, "keys": {}}
    names: set[str] = set()
    for package in PACKAGES:
        path = out / package / "meta.json"
        if not path.is_file():
            continue
        meta = json.loads(path.read_text(encoding="utf-8"))
        index["packages"][package] = {"releases": meta["releases"], "wheels": meta["wheels"]}
        for key in meta["callables"]:
            index["keys"].setdefault(key, package)
            entry = json.loads((out / package / callable_file(key)).read_text(encoding="utf-8"))
            names.update(entry["params"])
        models = out / f"{package}-models.json"
        if models.is_file():
            for cls in json.loads(models.read_text(encoding="utf-8"))["classes"].values():
                names.update(cls["params"])
    (out / "index.json").write_bytes(dump(index))
    (out / "names.json").write_bytes(dump({"schema": SCHEMA, "names": sorted(names)}))


if __name__ == "__main__":
    sys.exit(main())
