#!/usr/bin/env bash
# Builds the VS Code extension (editors/vscode: starts `agwlint lsp` with vscode-languageclient)
# into editors/vscode/agwlint.vsix with @vscode/vsce, from the npm packages pinned by its
# package-lock.json, and checks what the package holds. Called by .ci/run; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"
npm ci --silent --no-audit --no-fund
cp ../../LICENSE LICENSE
npx --no-install vsce package --out agwlint.vsix
python3 - <<'PY'
import json
import zipfile

z = zipfile.ZipFile("agwlint.vsix")
names = set(z.namelist())
need = [
    "extension/package.json",
    "extension/extension.js",
    "extension/node_modules/vscode-languageclient/node.js",
]
missing = [n for n in need if n not in names]
assert not missing, f"agwlint.vsix lacks {missing}"
manifest = json.loads(z.read("extension/package.json"))
assert manifest["main"] == "./extension.js", manifest["main"]
ext = z.read("extension/extension.js").decode()
assert 'args: ["lsp"]' in ext, "the extension must start `agwlint lsp`"
assert not any("/@vscode/vsce" in n for n in names), "build tools must not be packaged"
print(f"ok: agwlint.vsix, {len(names)} files, starts `agwlint lsp`")
PY
