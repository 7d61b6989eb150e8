"""The `diagnostics` settings object: typed, camelCase on the wire, each bad field back to its
default with one problem told."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.settings import DiagnosticsSettings, parse_settings

D = DiagnosticsSettings
# (id, raw `diagnostics` value, expected settings, problems expected)
CASES = [
    ("absent", None, D(), 0),
    ("empty", {}, D(), 0),
    ("off", {"enabled": False}, D(enabled=False), 0),
    ("ignore", {"ignore": ["TG003"]}, D(ignore=("TG003",)), 0),
    ("select-prefix", {"select": ["TG00", "tg004 "]}, D(select=("TG00", "TG004")), 0),
    ("both", {"select": ["TG"], "ignore": ["TG002"]}, D(select=("TG",), ignore=("TG002",)), 0),
    ("unknown-keys-ignored", {"severity": "x", "ignore": []}, D(), 0),
    ("enabled-not-bool", {"enabled": "no", "ignore": ["TG003"]}, D(ignore=("TG003",)), 1),
    ("ignore-not-list", {"ignore": "TG003"}, D(), 1),
    ("ignore-not-a-code", {"ignore": ["E501"]}, D(), 1),
    ("select-number", {"select": [3]}, D(), 1),
    ("two-bad-fields", {"enabled": 1, "select": ["x"]}, D(), 2),
    ("not-an-object", ["TG003"], D(), 1),
]


@pytest.mark.parametrize(
    "raw, expected, problems", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_diagnostics_settings(raw, expected, problems):
    wire = {} if raw is None else {"diagnostics": raw}
    settings, told = parse_settings(wire)
    assert settings.diagnostics == expected
    assert len(told) == problems, told
    assert all("diagnostics" in t for t in told)


def test_wrapped_in_the_section_name():
    settings, told = parse_settings({"transformersGlossary": {"diagnostics": {"enabled": False}}})
    assert settings.diagnostics.enabled is False and not told


def test_selected_interpreters_per_folder():
    settings, problems = parse_settings(
        {"selectedInterpreters": {"/w/a": "/envs/a/bin/python", "/w/b": ""}}
    )
    assert problems == []
    assert settings.selected_interpreters == (("/w/a", "/envs/a/bin/python"),)
    for bad in (["/w/a"], {"/w/a": 3}, {"/w/a": "x\0y"}, {f"/w/{k}": "/p" for k in range(65)}):
        settings, problems = parse_settings({"selectedInterpreters": bad, "python": "/p"})
        assert settings.selected_interpreters == () and settings.python == "/p"  # rest applies
        assert len(problems) == 1 and "selectedInterpreters" in problems[0]
