#!/usr/bin/env bash
# End-to-end tests of `agwlint lsp` with a real LSP client library: pytest-lsp (PyPI, pinned)
# drives the binary over stdio (tests/lsp/). Prints the didChange -> diagnostics benchmark.
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
