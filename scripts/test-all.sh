#!/usr/bin/env bash
# Install everything the tests need (venv, npm packages, Neovim, Emacs + eglot, Chromium for the
# VS Code e2e), then run every suite: Python (unit, stdio end-to-end, real Neovim and Emacs, wheel
# install), the benchmark at a small size, the VS Code client's unit tests, the real VS Code
# end-to-end, and the real JupyterLab (with jupyterlab-lsp) end-to-end.
# Set SKIP_VSCODE_E2E=1 to leave out the slowest step (a few minutes cold), SKIP_JUPYTERLAB_E2E=1 to
# leave out the real-JupyterLab step (a few minutes cold, about 2 warm).
# Set PYGLS_NEWEST=1 to also run the Python suites against the newest pygls 2.x, past the pin in
# pyproject.toml, in a venv of its own (.venv-pygls-newest): a pygls release that breaks what we
# build on shows there first, by name (tests/unit/test_pygls_coupling.py).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PASSED=0
FAILED=0
FAILED_STEPS=()
step() { # step NAME command...
  local name="$1"; shift
  echo
  echo "=== $name"
  if "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); FAILED_STEPS+=("$name"); fi
}

install_system() {
  local need=()
  command -v nvim >/dev/null 2>&1 || need+=(neovim)
  # Emacs for the README's eglot snippet (tests/editors/test_emacs.py): ~25 s, 12 packages.
  if ! command -v emacs >/dev/null 2>&1; then
    need+=(emacs-nox elpa-eglot)
  elif ! emacs --batch --eval "(require 'eglot)" >/dev/null 2>&1; then
    need+=(elpa-eglot)  # built into Emacs 29+, a package before
  fi
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "need root to apt-get install ${need[*]}" >&2
      return 1
    fi
  fi
  nvim --version | head -1
  emacs --version | head -1
}

install_python() {
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
}

pygls_newest() {
  local venv="$ROOT/.venv-pygls-newest"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" || return 1
  "$venv/bin/pip" install -q --disable-pip-version-check -e ".[test]" || return 1
  # Past our own pin on purpose: pip warns that it conflicts, and installs it.
  "$venv/bin/pip" install -q --disable-pip-version-check --upgrade "pygls>=2,<3" \
    || return 1
  "$venv/bin/python" -c 'from importlib.metadata import version; print("pygls", version("pygls"))'
  PYGLS_BEYOND_PIN=1 "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit tests/e2e
}

step "system packages (neovim, emacs-nox, elpa-eglot)" install_system
step "python venv (.venv)" install_python
step "ruff" .venv/bin/ruff check server tests benchmarks tools
step "ruff format" .venv/bin/ruff format --check server tests benchmarks tools
step "pytest (unit, e2e over stdio, Neovim, Emacs, wheel install)" .venv/bin/python -m pytest -q -p no:cacheprovider
if [ "${PYGLS_NEWEST:-0}" = 1 ]; then
  step "pytest (unit, e2e) against the newest pygls 2.x" pygls_newest
fi
step "benchmark (quick)" .venv/bin/python benchmarks/run.py --quick --json /tmp/tgls-bench-quick.json
step "vscode-client unit tests" bash -c "cd '$ROOT/vscode-client' && npm ci --no-audit --no-fund --loglevel=error && npm test"
if [ "${SKIP_VSCODE_E2E:-0}" != 1 ]; then
  step "VS Code end to end (code-server + Chromium)" bash tests/editors/vscode/run_e2e.sh
fi
if [ "${SKIP_JUPYTERLAB_E2E:-0}" != 1 ]; then
  step "JupyterLab end to end (jupyterlab-lsp + Chromium)" bash tests/editors/jupyterlab/run_e2e.sh
fi

echo
if [ "$FAILED" -gt 0 ]; then
  printf 'failed step: %s\n' "${FAILED_STEPS[@]}"
fi
echo "steps: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
