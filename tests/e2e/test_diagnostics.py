"""Diagnostics and their fixes over stdio: pulled where the client asks for them, pushed
otherwise, refreshed when the release changes; quick fixes and fix-all edit only the name."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.catalogue import default_catalogue

from tests.lspclient import LspClient
from tests.wheels import make_venv, ran, wheel

NEWEST = default_catalogue().newest("transformers")

SOURCE = (
    "from transformers import TrainingArguments\n"
    "args = TrainingArguments(output_dir='o', evaluation_strategy='step', no_cuda=True)\n"
    "ok = TrainingArguments(output_dir='o', eval_strategy='steps')\n"
)
PULL = {"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": True}}}
PUSH = {"textDocument": {"publishDiagnostics": {"tagSupport": {"valueSet": [1, 2]}}}}
URI = "file:///tmp/diagnostics-e2e/train.py"


@pytest.fixture
def server(request):
    client = LspClient.spawn(on_request=lambda message: None)  # answers refresh requests
    client.initialize(request.param, initializationOptions={"transformersVersion": "5.25"})
    yield client
    assert client.shutdown() == 0
    client.stop()


def _pull(server) -> list[dict]:
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": URI}})
    assert answer["result"]["kind"] == "full"
    return answer["result"]["items"]


def _pushed(server, version: int) -> list[dict]:
    found = server.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == URI
            and m["params"].get("version") == version
        )
    )
    return found["params"]["diagnostics"]


def _summary(items: list[dict]) -> list[tuple]:
    return sorted((d["code"], d["range"]["start"]["character"], d["severity"]) for d in items)


EXPECTED = [("TG001", 41, 1), ("TG001", 69, 1), ("TG004", 61, 1)]


@pytest.mark.parametrize("server", [PULL], indirect=True)
def test_pull_answers_and_pushes_nothing(server):
    server.open(URI, SOURCE)
    items = _pull(server)
    assert _summary(items) == EXPECTED
    removed = next(d for d in items if d["range"]["start"]["character"] == 41)
    assert removed["range"]["end"] == {"line": 1, "character": 41 + len("evaluation_strategy")}
    assert "raises TypeError" in removed["message"] and "`eval_strategy`" in removed["message"]
    assert removed["codeDescription"]["href"].startswith("https://huggingface.co/docs/")
    # the same pull after a hover: nothing was pushed to a client that pulls
    assert server.hover(URI, 1, 45)["result"]
    assert server.counts()["textDocument/publishDiagnostics"] == 0


def _pull_since(server, previous: str | None) -> dict:
    params = {"textDocument": {"uri": URI}}
    if previous is not None:
        params["previousResultId"] = previous
    return server.call("textDocument/diagnostic", params)["result"]


def _type(server, version: int, line: int, character: int, text: str) -> None:
    at = {"line": line, "character": character}
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": URI, "version": version},
            "contentChanges": [{"range": {"start": at, "end": at}, "text": text}],
        },
    )


@pytest.mark.parametrize("server", [PULL], indirect=True)
def test_a_pull_with_the_last_result_id_is_answered_unchanged(server):
    server.open(URI, SOURCE)
    first = _pull_since(server, None)
    assert first["kind"] == "full" and first["resultId"]
    assert _summary(first["items"]) == EXPECTED
    unchanged = {"kind": "unchanged", "resultId": first["resultId"]}
    assert _pull_since(server, first["resultId"]) == unchanged
    # an edit that leaves the diagnostics as they were: still unchanged
    _type(server, 2, 2, len(SOURCE.splitlines()[2]), "  # fine")
    assert _pull_since(server, first["resultId"]) == unchanged
    # an edit that changes them: the whole report, under a new id; an older id gets it too
    _type(server, 3, 1, 41, "x")  # xevaluation_strategy: unknown now
    second = _pull_since(server, first["resultId"])
    assert second["kind"] == "full" and second["resultId"] != first["resultId"]
    assert ("TG003", 41, 1) in _summary(second["items"])
    assert _pull_since(server, "no such id") == second
    assert _pull_since(server, second["resultId"]) == {
        "kind": "unchanged",
        "resultId": second["resultId"],
    }


@pytest.mark.parametrize("server", [PUSH], indirect=True)
def test_push_after_open_and_change(server):
    server.open(URI, SOURCE)
    assert _summary(_pushed(server, 1)) == EXPECTED
    fixed = "args = TrainingArguments(output_dir='o', eval_strategy='steps', use_cpu=True)"
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": URI, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 1, "character": 0},
                        "end": {"line": 1, "character": len(SOURCE.splitlines()[1])},
                    },
                    "text": fixed,
                }
            ],
        },
    )
    assert _pushed(server, 2) == []
    server.notify("textDocument/didClose", {"textDocument": {"uri": URI}})
    cleared = server.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == URI
            and "version" not in m["params"]
        )
    )
    assert cleared["params"]["diagnostics"] == []


@pytest.mark.parametrize("server", [PUSH], indirect=True)
def test_deprecated_tag_when_the_client_shows_it(server):
    server.notify(
        "workspace/didChangeConfiguration",
        {"settings": {"transformersGlossary": {"transformersVersion": "4.45"}}},
    )
    server.open(URI, SOURCE)
    items = [d for d in _pushed(server, 1) if d["code"] == "TG002"]
    assert [d["range"]["start"]["character"] for d in items] == [41, 69]
    assert all(d["tags"] == [2] and d["severity"] == 2 for d in items)


@pytest.mark.parametrize("server", [PULL], indirect=True)
def test_a_release_change_asks_the_client_to_pull_again(server):
    server.open(URI, SOURCE)
    assert _summary(_pull(server)) == EXPECTED
    server.notify(
        "workspace/didChangeConfiguration",
        {"settings": {"transformersGlossary": {"transformersVersion": "4.40"}}},
    )
    server.wait_for(lambda m: m.get("method") == "workspace/diagnostic/refresh")
    # 4.40: evaluation_strategy is current (its bad value stays), no_cuda deprecated
    assert _summary(_pull(server)) == [("TG002", 69, 2), ("TG003", 39, 1), ("TG004", 61, 1)]


def _actions(server, line, start, end, only=None) -> list[dict]:
    context = {"diagnostics": []} | ({"only": only} if only else {})
    params = {
        "textDocument": {"uri": URI},
        "range": {
            "start": {"line": line, "character": start},
            "end": {"line": line, "character": end},
        },
        "context": context,
    }
    answer = server.call("textDocument/codeAction", params)
    assert "result" in answer, answer
    return answer["result"] or []


@pytest.mark.parametrize("server", [PULL], indirect=True)
def test_quick_fixes_and_fix_all(server):
    server.open(URI, SOURCE)
    quick = _actions(server, 1, 45, 45, ["quickfix"])
    assert [(a["title"], a.get("isPreferred")) for a in quick] == [
        ("Rename `evaluation_strategy` to `eval_strategy`", True)
    ]
    (edit,) = quick[0]["edit"]["changes"][URI]
    assert edit == {
        "range": {"start": {"line": 1, "character": 41}, "end": {"line": 1, "character": 60}},
        "newText": "eval_strategy",
    }
    assert _actions(server, 2, 0, 10) == []  # valid code: nothing offered
    (everything,) = _actions(server, 0, 0, 0, ["source.fixAll"])
    assert everything["kind"] == "source.fixAll"
    texts = sorted(e["newText"] for e in everything["edit"]["changes"][URI])
    assert texts == ["'steps'", "eval_strategy", "use_cpu"]


@pytest.mark.wheels
@pytest.mark.parametrize(
    ("minor", "expected"),
    [
        ("4.40", [("TG002", 69, 2), ("TG003", 39, 1), ("TG004", 61, 1)]),
        (NEWEST, EXPECTED),
    ],
)
def test_the_release_installed_in_the_workspace_decides(tmp_path, minor, expected):
    project = tmp_path / "project"
    make_venv(project / ".venv", [wheel("transformers", minor)])
    server = LspClient.spawn(env={"PATH": "/usr/bin:/bin", "HOME": str(project)})
    try:
        root = project.as_uri()
        server.initialize(PULL, rootUri=root, workspaceFolders=[{"uri": root, "name": "p"}])
        server.wait_for(
            lambda m: (
                m.get("method") == "window/logMessage" and "answers for" in m["params"]["message"]
            )
        )
        doc = (project / "train.py").as_uri()
        server.open(doc, SOURCE)
        answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": doc}})
        assert _summary(answer["result"]["items"]) == expected
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not ran(project / ".venv")


# -- the `diagnostics` settings: per-code select/ignore and off, for pushes and pulls ----------
def _configure(server, diagnostics: dict) -> None:
    settings = {"transformersVersion": "5.25", "diagnostics": diagnostics}
    server.notify("workspace/didChangeConfiguration", {"settings": settings})


@pytest.mark.parametrize("server", [PUSH], indirect=True)
def test_settings_filter_pushed_codes_and_turn_them_off(server):
    _configure(server, {"ignore": ["TG004"]})
    server.open(URI, SOURCE)
    assert _summary(_pushed(server, 1)) == [c for c in EXPECTED if c[0] != "TG004"]
    server.forget()
    _configure(server, {"enabled": False})
    assert _pushed(server, 1) == []  # pushed again: what was shown is cleared
    server.forget()
    _configure(server, {"select": ["TG004"]})
    assert _summary(_pushed(server, 1)) == [c for c in EXPECTED if c[0] == "TG004"]


@pytest.mark.parametrize("server", [PULL], indirect=True)
def test_settings_filter_pulled_codes_and_their_fixes(server):
    server.open(URI, SOURCE)
    assert _summary(_pull(server)) == EXPECTED
    server.forget()
    _configure(server, {"select": ["TG00"], "ignore": ["TG001"]})
    server.wait_for(lambda m: m.get("method") == "workspace/diagnostic/refresh")
    assert _summary(_pull(server)) == [("TG004", 61, 1)]
    # an ignored finding offers no fix either
    titles = [a["title"] for a in _actions(server, 1, 0, 90)]
    assert titles and all("eval_strategy`" not in t for t in titles), titles


@pytest.mark.parametrize("server", [PULL], indirect=True)
def test_a_bad_diagnostics_setting_is_told_once_and_all_codes_stay(server):
    for _ in range(2):
        _configure(server, {"ignore": "TG003"})
    server.open(URI, SOURCE)
    assert _summary(_pull(server)) == EXPECTED
    told = [m for m in server.messages if m.get("method") == "window/showMessage"]
    assert len(told) == 1 and "diagnostics.ignore" in told[0]["params"]["message"]
