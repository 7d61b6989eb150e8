"""Read the generated, versioned catalogue of facts (glossary_data/catalogue/*.json).

The catalogue is written by tools/build_catalogue.py from the published wheels of transformers,
trl and peft; its format is described in glossary_data/README.md. Nothing is read at import time:
`index.json` (a few kB) is read on the first question, a package's file the first time one of its
callables is asked about, and the per-class model file only when a concrete model class is.

Releases are minors ("4.40", "5.25"); a full version ("4.40.2") is reduced to its minor. A release
between two known minors is answered as the newest known minor before it; one newer than every
known minor as the newest; one older than the first as "before the catalogue" (names are
`not_yet`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

try:
    import orjson
except ImportError:  # a platform it has no wheel for: the standard library's decoder
    orjson = None

OK = "ok"
DEPRECATED = "deprecated"
REMOVED = "removed"
NOT_YET = "not_yet"

SHAPES_FILE = "shapes.json"
GENERIC_TENSOR = "torch.Tensor"
SHAPED_KINDS = ("model", "model_output", "generate")  # the callable kinds shapes.json speaks of
ADDED_STEP = 200  # model names looked at in one idle step of `added_steps` (~0.5 ms)

MAX_DIRS = 4096
_HEAD_FAMILY = re.compile(r"(For[A-Z]\w*)$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,200}")


def _read_json(data: bytes):
    """A catalogue file's value: orjson reads one ~1.7x faster than `json` (model.json, 97 kB,
    in 0.85 ms, not 1.46), the same value for every file shipped (tested); ValueError as
    `json` raises it."""
    return json.loads(data) if orjson is None else orjson.loads(data)


def callable_file(key: str) -> str:
    """The file of one callable in its package's folder: `model:ForCausalLM` ->
    `model--ForCausalLM.json` (tools/build_catalogue.py writes by the same rule)."""
    return key.replace(":", "--") + ".json"


def read_package(directory: Path, package: str) -> dict:
    """A package's whole catalogue as one dict (`callables` filled in), for tests and tools."""
    folder = Path(directory) / package
    meta = json.loads((folder / "meta.json").read_bytes())
    meta["callables"] = {
        key: json.loads((folder / callable_file(key)).read_bytes()) for key in meta["callables"]
    }
    return meta


def default_catalogue_dir() -> Path:
    """The catalogue shipped in the wheel, or the repository's copy in a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "glossary_data" / "catalogue"
    if installed.is_dir():
        return installed
    return here.parent.parent / "glossary_data" / "catalogue"


@lru_cache(maxsize=1024)  # a few hundred release strings, compared over and over
def _key(release: str) -> tuple[int, ...]:
    out = []
    for part in release.split(".")[:2]:
        m = re.match(r"\d+", part)
        out.append(int(m.group(0)) if m else 0)
    return tuple(out)


def release_key(release: str) -> tuple[int, ...]:
    """ "4.40.2" -> (4, 40): releases compared as numbers."""
    return _key(release)


def minor(release: str) -> str:
    """ "4.40.2" -> "4.40"."""
    return ".".join(str(p) for p in _key(release))


def head_family(class_name: str) -> str | None:
    """The head family of a model class name: `ForCausalLM`, `Model`, `LMHeadModel`, ..."""
    if class_name.endswith("PreTrainedModel"):
        return None
    m = _HEAD_FAMILY.search(class_name)
    if m:
        return m.group(1)
    for suffix in ("LMHeadModel", "Model", "Backbone"):
        if class_name.endswith(suffix):
            return suffix
    return None


@dataclass(frozen=True)
class Param:
    """What the catalogue knows about one name of one callable.

    The facts (type, default, ...) are those of the release asked about, or, when the name does
    not exist there, of the nearest release in which it does. Source text throughout: `default`
    is `'no'` or `None` as written upstream; `choices` are Python source (`'"steps"'`, `'True'`).
    """

    name: str
    callable: str
    package: str = "transformers"
    type: str | None = None
    default: str | None = None
    effective_default: str | None = None
    shape: str | None = None
    dtype: str | None = None
    choices: tuple[str, ...] = ()
    first_release: str | None = None
    last_release: str | None = None  # None: still present in the newest release
    deprecated_since: str | None = None
    removal_planned: str | None = None
    replacement: str | None = None
    url: str | None = None
    origin: str | None = None  # where the name comes from when not the signature: "kwargs", ...
    note: str | None = None  # our note on a shape we read from the model code (shapes.json)
    ignored: bool = False  # in the release asked about, popped and dropped: accepted, no effect
    alias_of: str | None = None  # pipeline task aliases
    present: tuple[tuple[str, str], ...] = ()  # release ranges in which the name exists
    deprecated: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    def status(self, release: str | None = None) -> str:
        """ "ok", "deprecated", "removed" or "not_yet" in `release` (default: the newest)."""
        if not self.present:
            return REMOVED
        if release is None:
            release = (
                self.present[-1][1] if self.last_release is None else _after(self.last_release)
            )
        r = _key(release)
        if r < _key(self.present[0][0]):
            return NOT_YET
        if not any(_key(a) <= r <= _key(b) for a, b in self.present):
            return REMOVED
        if any(_key(a) <= r <= _key(b) for a, b in self.deprecated):
            return DEPRECATED
        return OK


def _after(release: str) -> str:
    major, minor_ = _key(release)
    return f"{major}.{minor_ + 1}"


_ANY_NAME: frozenset[str] = frozenset()  # stands for "no names file: any name may be taken"


class Catalogue:
    """Lazy reader of the shipped catalogue. Thread-safe; every file is read at most once."""

    def __init__(self, directory: Path | str | None = None, shapes: Path | str | None = None):
        self.directory = Path(directory) if directory else default_catalogue_dir()
        # Our shapes for tensors whose docstrings give none: glossary_data/shapes.json, next to
        # the catalogue folder (a catalogue written elsewhere, as by the generator's tests: none).
        self.shapes_path = Path(shapes) if shapes else self.directory.parent / SHAPES_FILE
        self._lock = threading.Lock()
        self._files: dict[str, object] = {}
        self._dirs: dict[str, str | None] = {}  # class name -> `model_dir` (the file unparsed)

    # ---- files

    def _load(self, name: str) -> dict:
        data = self._files.get(name)
        if data is None:
            with self._lock:
                data = self._files.get(name)
                if data is None:
                    path = self.directory / name
                    try:
                        data = _read_json(path.read_bytes())
                    except (OSError, ValueError):
                        data = {}
                    self._files[name] = data
        return data

    def _index(self) -> dict:
        return self._load("index.json")

    def _shapes(self) -> dict:
        """Our shapes file (`shapes.json`), read the first time a tensor lacks a shape."""
        data = self._files.get("#shapes")
        if data is None:
            with self._lock:
                data = self._files.get("#shapes")
                if data is None:
                    try:
                        data = _read_json(self.shapes_path.read_bytes())
                    except (OSError, ValueError):
                        data = {}
                    self._files["#shapes"] = data if isinstance(data, dict) else {}
        return self._files["#shapes"]  # type: ignore[return-value]

    def ours(self, kind: str | None, name: str, owner: str | None = None) -> dict | None:
        """Our shape, dtype and note for a tensor name of a callable kind (`model`,
        `model_output`, `generate`): the general entry, with what it says of `owner` (a model
        or output class) over it. None when we wrote nothing for the name."""
        group = self._shapes().get(kind or "")
        found = group.get(name) if isinstance(group, dict) else None
        if not isinstance(found, dict):
            return None
        classes = found.get("classes") or {}
        mine = classes.get(owner) if owner else None
        merged = {k: v for k, v in found.items() if k != "classes" and isinstance(v, str)}
        if isinstance(mine, dict):
            merged.update({k: v for k, v in mine.items() if isinstance(v, str)})
            merged["owner"] = owner
        return merged

    def _package(self, package: str) -> dict:
        """A package's release axis and doc URL pattern (`<package>/meta.json`)."""
        return self._load(f"{package}/meta.json")

    def _callable(self, package: str, key: str) -> dict | None:
        """One callable of a package (`<package>/<key>.json`), read when first asked about."""
        if key not in self._index().get("keys", {}):
            return None
        return self._load(f"{package}/{callable_file(key)}") or None

    def may_name(self, name: str) -> bool:
        """False when no callable or model class takes `name` in any release (`names.json`);
        True when one may, and when the file is missing or unreadable (nothing is ruled out)."""
        names = self._files.get("#names")
        if names is None:
            listed = self._load("names.json").get("names")
            names = self._files["#names"] = (
                frozenset(listed) if isinstance(listed, list) else _ANY_NAME
            )
        return names is _ANY_NAME or name in names  # type: ignore[operator]

    def _models(self, package: str = "transformers") -> dict:
        return self._load(f"{package}-models.json")

    def preload(self, keys: tuple[str, ...] = ()) -> None:
        """Read the index, the packages' release axes and the given callables now, so that
        no request has to."""
        for _ in self.preload_steps(keys):
            pass

    def preload_steps(self, keys: tuple[str, ...] = ()) -> Iterator[None]:
        """`preload`, a file a step (0.05-0.9 ms each): a step in the moment after an answer
        must be over before the next request comes."""
        self._index()
        yield
        self.may_name("")
        yield
        for package in self.packages():
            self._package(package)
            yield
        for key in keys:
            package = self.package_of(key)
            if package is not None:
                self._callable(package, key)
                yield

    # ---- releases

    def packages(self) -> list[str]:
        return sorted(self._index().get("packages", {}))

    def releases(self, package: str = "transformers") -> list[str]:
        return list(self._index().get("packages", {}).get(package, {}).get("releases", []))

    def wheel_version(self, package: str, release: str) -> str | None:
        info = self._index().get("packages", {}).get(package, {})
        rels = info.get("releases", [])
        m = minor(release)
        return info.get("wheels", [])[rels.index(m)] if m in rels else None

    def newest(self, package: str = "transformers") -> str | None:
        rels = self.releases(package)
        return rels[-1] if rels else None

    def _release_index(self, package: str, release: str | None) -> int:
        """Index of the newest known minor <= release; -1 before the first; newest if None."""
        rels = self.releases(package)
        if release is None:
            return len(rels) - 1
        r = _key(release)
        idx = -1
        for i, rel in enumerate(rels):
            if _key(rel) <= r:
                idx = i
        return idx

    # ---- callables

    def callables(self, package: str | None = None) -> list[str]:
        keys = self._index().get("keys", {})
        return sorted(k for k, p in keys.items() if package is None or p == package)

    def is_model_class(self, name: str) -> bool:
        """Whether `name` is a public model class of transformers' newest release."""
        return self.model_dir(name) is not None

    def model_dir(self, name: str) -> str | None:
        """The folder under `transformers/models/` of a model class of the newest release.
        Asked of every class name a document names: until something needs the whole class
        file parsed (~10 ms), the name is looked up in its bytes (well under 1 ms)."""
        models = self._files.get("transformers-models.json")
        if models is not None:
            cls = models.get("classes", {}).get(name)  # type: ignore[union-attr]
            return cls.get("dir") if cls is not None else None
        if not _IDENTIFIER.fullmatch(name):
            return None
        found = self._dirs.get(name, False)
        if found is False:  # each look-up searches the file's bytes: once per name
            raw, key = self._models_bytes(), b'"%s":{"dir":"' % name.encode()
            at = raw.find(key)
            if at >= 0:
                start = at + len(key)
                found = raw[start : raw.find(b'"', start)].decode(errors="replace")
            else:
                found = None
            if len(self._dirs) >= MAX_DIRS:  # names come from user text
                self._dirs.clear()
            self._dirs[name] = found
        return found

    def _model_record(self, name: str) -> dict | None:
        """One class's record, decoded alone (the whole file takes ~10 ms, on the loop)."""
        models = self._files.get("transformers-models.json")
        if models is not None:
            return models.get("classes", {}).get(name)  # type: ignore[union-attr]
        if not _IDENTIFIER.fullmatch(name):
            return None
        return self._decoded(b'"%s":{"dir":"' % name.encode(), b'"%s":' % name.encode())

    def _model_part(self, key: str):
        """The class file's `facts` list or `path`, decoded alone."""
        models = self._files.get("transformers-models.json")
        if models is not None:
            return models.get(key)  # type: ignore[union-attr]
        cache = f"#models-{key}"
        if cache not in self._files:
            self._files[cache] = self._decoded(b'"%s":' % key.encode(), b'"%s":' % key.encode())
        return self._files[cache]

    def _decoded(self, marker: bytes, prefix: bytes):
        """The JSON value after `prefix` where `marker` first occurs in the class file."""
        raw = self._models_bytes()
        if raw.find(marker) < 0:  # the common answer, without decoding the file
            return None
        text = self._files.get("#models-text")
        if text is None:
            text = self._files["#models-text"] = raw.decode("utf-8", errors="replace")
        at = text.find(marker.decode())  # a character offset (the file is not all ASCII)
        try:
            return json.JSONDecoder().raw_decode(text, at + len(prefix.decode()))[0]
        except ValueError:
            return None

    def _models_bytes(self) -> bytes:
        data = self._files.get("#models-bytes")
        if data is None:
            try:
                data = (self.directory / "transformers-models.json").read_bytes()
            except OSError:
                data = b""
            self._files["#models-bytes"] = data
        return data  # type: ignore[return-value]

    def added_by(self, origin: str, release: str | None, names: Iterable[str] = ()) -> list[Param]:
        """The generic model names a `**kwargs` TypedDict (`TransformersKwargs`) or a decorator
        (`decorator:can_return_tuple`) adds to a forward in `release`: those the generator saw
        it add to the model family there, and `names` (what `origins()` says for the newest)."""
        found = self.added_in(release).get(origin, frozenset())
        params = (self.param("model", name, release) for name in sorted(found.union(names)))
        return [p for p in params if p is not None]

    def added_in(self, release: str | None) -> dict[str, frozenset[str]]:
        """origin -> the model family's names it adds in `release`, worked out once per release
        (a few ms: every model name's facts are looked at; `added_steps` spreads that out)."""
        for _ in self.added_steps(release):
            pass
        return self._files[f"#added-{release}"]  # type: ignore[return-value]

    def added_steps(self, release: str | None, names: int = ADDED_STEP) -> Iterator[None]:
        """Work out `added_in(release)`, `names` model names a step, for idle moments; nothing
        to do when it is known."""
        cache = f"#added-{release}"
        if cache in self._files:
            return
        by_origin: dict[str, set[str]] = {}
        for count, (name, origin) in enumerate(self._origins_in("model", release), 1):
            if origin:
                by_origin.setdefault(origin, set()).add(name)
            if count % names == 0:
                yield
        self._files[cache] = {o: frozenset(n) for o, n in by_origin.items()}

    def _origins_in(self, kind: str, release: str | None) -> Iterator[tuple[str, str | None]]:
        """(name, origin) of each name `params(kind, release)` gives, from the raw facts: a
        `Param` built for each of the model family's ~1,200 names cost tens of ms."""
        found = self._resolve(kind, release)
        if found is None:
            return
        package, key, cls = found
        seen: set[str] = set()
        for pkg, k in [(package, key), *self._bases(package, key)]:
            entry = self._callable(pkg, k)
            if entry is None:
                continue
            idx = self._release_index(pkg, release if pkg == package else None)
            here_cls = cls if (pkg, k) == (package, key) else None
            names = here_cls["params"] if here_cls is not None else entry["params"]
            for name in names:
                runs = entry["params"].get(name, [])
                if here_cls is None and not any(a <= idx <= b for a, b, _ in runs):
                    continue
                if name not in seen:
                    seen.add(name)
                    yield name, self._facts_at(runs, idx, here_cls, name).get("k")

    def origins(self) -> dict[str, set[str]]:
        """origin -> the names it adds to some class of the newest release. Parses the whole
        class file (~10 ms): the child process that reads the installed sources asks it."""
        models = self._models("transformers")
        facts = models.get("facts", [])
        out: dict[str, set[str]] = {}
        for cls in models.get("classes", {}).values():
            for name, index in cls.get("params", {}).items():
                origin = facts[index].get("k") if index < len(facts) else None
                if origin:
                    out.setdefault(origin, set()).add(name)
        return out

    def is_concrete(self, kind_or_class: str, release: str | None = None) -> bool:
        """Whether a model class's own forward is known at `release` (the newest release's
        public classes), not only its head family's."""
        found = self._resolve(kind_or_class, release)
        return found is not None and found[2] is not None

    def kind_of(self, kind_or_class: str) -> str | None:
        """The kind of a catalogue callable (`model`, `generate`, `trl_config`, ...), also for
        a model class name (`model`)."""
        found = self._resolve(kind_or_class, None)
        if found is None:
            return None
        package, key, _cls = found
        entry = self._callable(package, key)
        return entry.get("kind") if entry else None

    def package_of(self, kind_or_class: str) -> str | None:
        """The package whose catalogue holds this callable, or None."""
        keys = self._index().get("keys", {})
        if kind_or_class in keys:
            return keys[kind_or_class]
        if head_family(kind_or_class):
            return "transformers"
        return None

    def _resolve(self, kind_or_class: str, release: str | None):
        """(package, callable key, concrete class record or None) for a kind or class name."""
        keys = self._index().get("keys", {})
        if kind_or_class in keys:
            return keys[kind_or_class], kind_or_class, None
        fam = head_family(kind_or_class)
        if fam is None:
            return None
        # `Auto*` classes pick a concrete class at run time: only their head family is known.
        concrete = not kind_or_class.startswith("Auto")
        cls = self._model_record(kind_or_class) if concrete else None
        newest = self.newest("transformers")
        asked_newest = (
            release is None
            or minor(release) == newest
            or (newest is not None and _key(release) > _key(newest))
        )
        if cls is not None and asked_newest:
            return "transformers", "model:" + cls["family"], {**cls, "name": kind_or_class}
        fam = cls["family"] if cls is not None else fam
        key = "model:" + fam
        return ("transformers", key if key in keys else "model", None)

    def params(
        self, kind_or_class: str, release: str | None = None, base_release: str | None = None
    ) -> list[Param]:
        """Every name `kind_or_class` takes in `release` (default: newest), sorted by name.

        `kind_or_class` is a call kind (`training_args`, `generate`, `model`, `model:ForCausalLM`,
        ...), a class name with its own entry (`SFTConfig`, `LoraConfig`, `CausalLMOutputWithPast`),
        or a model class name (`LlamaForCausalLM`: that class's forward in the newest release,
        else its head family). A callable with a base (trl configs over TrainingArguments) adds
        the base's names; a base in another package is read at `base_release` (default: newest).
        """
        out: dict[str, Param] = {}
        for p in self.iter_params(kind_or_class, release, base_release):
            out.setdefault(p.name, p)
        return [out[n] for n in sorted(out)]

    def iter_params(
        self, kind_or_class: str, release: str | None = None, base_release: str | None = None
    ) -> Iterator[Param]:
        """What `params` returns, one at a time and unsorted (a name may come twice: the
        first wins), so that idle-time work can stop between names."""
        found = self._resolve(kind_or_class, release)
        if found is None:
            return
        package, key, cls = found
        yield from self._params_of(package, key, release, cls)
        for base_pkg, base_key in self._bases(package, key):
            rel = release if base_pkg == package else base_release
            yield from self._params_of(base_pkg, base_key, rel, None)

    def param(
        self,
        kind_or_class: str,
        name: str,
        release: str | None = None,
        base_release: str | None = None,
    ) -> Param | None:
        """One name of a callable, also when it exists only in other releases (its status says)."""
        found = self._resolve(kind_or_class, release)
        if found is None:
            return None
        package, key, cls = found
        p = self._one(package, key, name, release, cls)
        if p is not None and p.status(release or None) in (OK, DEPRECATED):
            return p
        for base_pkg, base_key in self._bases(package, key):
            rel = release if base_pkg == package else base_release
            q = self._one(base_pkg, base_key, name, rel, None)
            if q is not None and (p is None or q.status(rel) in (OK, DEPRECATED)):
                return q
        return p

    # ---- internals

    def _bases(self, package: str, key: str) -> list[tuple[str, str]]:
        out = []
        seen = {(package, key)}
        todo = [(package, key)]
        while todo:
            pkg, k = todo.pop(0)
            entry = self._callable(pkg, k) or {}
            for base in entry.get("base", []):
                bp, _, bk = (
                    base.rpartition(":")
                    if base.startswith(("transformers:", "trl:", "peft:"))
                    else (pkg, "", base)
                )
                if (bp, bk) not in seen:
                    seen.add((bp, bk))
                    out.append((bp, bk))
                    todo.append((bp, bk))
        return out

    def _params_of(self, package, key, release, cls) -> Iterator[Param]:
        entry = self._callable(package, key)
        if entry is None:
            return
        idx = self._release_index(package, release)
        names = cls["params"] if cls is not None else entry["params"]
        for name in names:
            runs = entry["params"].get(name, [])
            if cls is None and not any(a <= idx <= b for a, b, _ in runs):
                continue
            yield self._make(package, key, name, entry, runs, idx, cls)

    def _one(self, package, key, name, release, cls) -> Param | None:
        entry = self._callable(package, key)
        if entry is None:
            return None
        runs = entry["params"].get(name)
        if cls is not None and name in cls["params"]:
            runs = runs or []
        elif runs is None:
            return None
        else:
            cls = None
        return self._make(
            package, key, name, entry, runs, self._release_index(package, release), cls
        )

    def _facts_at(self, runs, idx, cls, name) -> dict:
        """A name's facts in the release at `idx` (or the nearest before, else its first);
        a concrete class's own where it has them."""
        facts: dict = {}
        if runs:
            here = [r for r in runs if r[0] <= idx <= r[1]]
            before = [r for r in runs if r[1] < idx]
            facts = (here or before[-1:] or runs[:1])[0][2]
        if cls is not None:
            facts = self._model_part("facts")[cls["params"][name]]
        return facts

    def _make(self, package, key, name, entry, runs, idx, cls) -> Param:
        rels = self.releases(package)
        facts = self._facts_at(runs, idx, cls, name)
        present = _merge_ranges([(a, b) for a, b, _ in runs]) if runs else []
        if cls is not None and not present and rels:
            present = [(len(rels) - 1, len(rels) - 1)]
        dep = _merge_ranges([(a, b) for a, b, f in runs if "x" in f]) if runs else []
        dep_fact = next((f["x"] for _a, _b, f in reversed(runs) if "x" in f), None)
        replacement = dep_fact.get("n") if dep_fact else None
        last = present[-1][1] if present else None
        # Docs of the release asked about, or of the nearest release that has the name.
        wheel_idx = min(max(idx, 0), len(rels) - 1) if rels else 0
        if present and not any(a <= wheel_idx <= b for a, b in present):
            earlier = [b for a, b in present if b < wheel_idx]
            wheel_idx = earlier[-1] if earlier else present[0][0]
        shape, dtype, note = facts.get("s"), facts.get("dt"), None
        if not shape or dtype in (None, GENERIC_TENSOR):
            shape, dtype, note = self._filled(entry, key, name, cls, shape, dtype)
        return Param(
            name=name,
            callable=key,
            package=package,
            type=facts.get("t"),
            default=facts.get("d"),
            effective_default=facts.get("e"),
            shape=shape,
            dtype=dtype,
            choices=tuple(facts.get("c", ())),
            first_release=rels[present[0][0]] if present else None,
            last_release=None if last is None or last == len(rels) - 1 else rels[last],
            deprecated_since=rels[dep[0][0]] if dep else None,
            removal_planned=dep_fact.get("r") if dep_fact else None,
            replacement=replacement,
            url=self._url(package, entry, wheel_idx, cls),
            origin=facts.get("k"),
            alias_of=facts.get("a"),
            note=note,
            ignored=facts.get("k") == "ignored" and any(a <= idx <= b for a, b, _ in runs),
            present=tuple((rels[a], rels[b]) for a, b in present),
            deprecated=tuple((rels[a], rels[b]) for a, b in dep),
        )

    def _filled(self, entry, key, name, cls, shape, dtype):
        """(shape, dtype, note) with ours filling what the wheels leave out, for a name the
        wheels type as a tensor (or one our entry names the class of): the wheels' own facts
        stay; our dtype replaces only a bare `torch.Tensor`; our note goes with our shape."""
        kind = entry.get("kind")
        if kind not in SHAPED_KINDS:
            return shape, dtype, None
        owner = cls["name"] if cls is not None else (key if kind == "model_output" else None)
        ours = self.ours(kind, name, owner)
        if ours is None or not (dtype or ours.get("owner")):
            return shape, dtype, None
        note = None
        if not shape and ours.get("shape"):
            shape, note = ours["shape"], ours.get("note")
        if dtype in (None, GENERIC_TENSOR) and ours.get("dtype"):
            dtype = ours["dtype"]
        return shape, dtype, note

    def _url(self, package, entry, wheel_idx, cls) -> str | None:
        pkg = self._package(package)
        docs = pkg.get("docs")
        wheels = pkg.get("wheels", [])
        if not docs or not wheels:
            return None
        base = docs.format(version="v" + wheels[wheel_idx])
        if cls is not None:
            path = self._model_part("path") or ""
            return base + path.format(dir=cls["dir"], cls=cls["name"])
        return base + entry.get("path", "")


def _merge_ranges(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


_DEFAULT: Catalogue | None = None


def default_catalogue() -> Catalogue:
    """The shared reader of the shipped catalogue (created on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Catalogue()
    return _DEFAULT
