"""Fixtures of the end-to-end tests of `agwlint lsp` with a real LSP client (pytest-lsp).

The server is the binary named by AGWLINT_BIN (default: target/debug/agwlint of this checkout).
The workspace is tests/scenarios/base_tf/main.tf (a Function App behind a v2 gateway, no finding)
cut into files by top-level block: the Function App in app.tf, the gateway in gw.tf, and the
other blocks spread over as many more files as asked.
"""

import os
import pathlib
import re

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("AGWLINT_BIN", str(ROOT / "target" / "debug" / "agwlint"))
BASE = ROOT / "tests" / "scenarios" / "base_tf" / "main.tf"


def blocks(text: str) -> list[str]:
    """The top-level blocks of an HCL file (a block starts at column 0, ends with `}` there)."""
    out, cur = [], []
    for line in text.splitlines(keepends=True):
        if not cur and not line.strip():
            continue
        cur.append(line)
        if line.rstrip() == "}" or re.match(r"^\S.*\{\s*\}\s*$", line):
            out.append("".join(cur))
            cur = []
    assert not cur, "unterminated block"
    return out


def make_workspace(path: pathlib.Path, files: int) -> pathlib.Path:
    """Writes the base workspace cut into `files` files (at least 2) under `path`."""
    others = files - 2
    spread: list[list[str]] = [[] for _ in range(max(others, 1))]
    app, gw = [], []
    i = 0
    for b in blocks(BASE.read_text()):
        if b.startswith('resource "azurerm_linux_function_app"'):
            app.append(b)
        elif b.startswith('resource "azurerm_application_gateway"') or others == 0:
            gw.append(b)
        else:
            spread[i % others].append(b)
            i += 1
    path.mkdir(parents=True, exist_ok=True)
    (path / "app.tf").write_text("\n".join(app))
    (path / "gw.tf").write_text("\n".join(gw))
    if others:
        for n, bs in enumerate(spread):
            (path / f"part{n}.tf").write_text("\n".join(bs))
    return path


def uri(p: pathlib.Path) -> str:
    return p.resolve().as_uri()


@pytest.fixture
def workspace(tmp_path):
    return make_workspace(tmp_path / "ws", 2)


@pytest.fixture
def workspace10(tmp_path):
    return make_workspace(tmp_path / "ws10", 10)


async def start(client: LanguageClient, root: pathlib.Path, options=None):
    await client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(
                    hover=types.HoverClientCapabilities(
                        content_format=[types.MarkupKind.Markdown]
                    ),
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                        related_information=True,
                        code_description_support=True,
                        tag_support=types.ClientDiagnosticsTagOptions(
                            value_set=[types.DiagnosticTag.Unnecessary]
                        ),
                    ),
                )
            ),
            workspace_folders=[types.WorkspaceFolder(uri=uri(root), name="ws")],
            initialization_options=options,
        )
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client(lsp_client: LanguageClient, workspace):
    await start(lsp_client, workspace)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client10(lsp_client: LanguageClient, workspace10):
    await start(lsp_client, workspace10)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client10_nodebounce(lsp_client: LanguageClient, workspace10):
    await start(lsp_client, workspace10, {"debounceMs": 0})
    yield
    await lsp_client.shutdown_session()
