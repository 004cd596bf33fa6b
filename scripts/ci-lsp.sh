#!/usr/bin/env bash
# End-to-end tests of `agwlint lsp` with a real LSP client library: pytest-lsp (PyPI, pinned)
# drives the binary over stdio (tests/lsp/). Prints the didChange -> diagnostics benchmark.
# Then the same cross-file check with a second client, Neovim headless (tests/lsp/nvim_client.lua).
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
