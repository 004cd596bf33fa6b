"""End-to-end tests of `agwlint lsp` with a real LSP client library (pytest-lsp, on pygls).

A change to the unsaved buffer of app.tf (the Function App may run 10 minutes) must make
AGW014 appear in gw.tf (the gateway waits 180 s), and undoing it must clear it; hover shows the
rule page; code actions offer the suppression comment, the host-name fix and the missing
GatewayManager rule (AGW027), whose edit applied to the buffer clears the diagnostic. The last tests
measure the time from didChange to the diagnostics of the other file on a 10-file workspace
(printed, not asserted).
"""

import asyncio
import json
import shutil
import statistics
import subprocess
import time

from lsprotocol import types
from pytest_lsp import LanguageClient

from conftest import BIN, uri

SLOW = ("00:02:00", "00:10:00")


def codes(client: LanguageClient, path) -> set[str]:
    return {str(d.code) for d in client.diagnostics.get(uri(path), [])}


async def until(client: LanguageClient, pred, timeout=30.0):
    """Waits for published diagnostics until `pred()` holds."""
    deadline = time.monotonic() + timeout
    while not pred():
        left = deadline - time.monotonic()
        assert left > 0, f"timed out; diagnostics: {client.diagnostics}"
        try:
            await asyncio.wait_for(
                client.wait_for_notification("textDocument/publishDiagnostics"), left
            )
        except asyncio.TimeoutError:
            pass


def open_doc(client: LanguageClient, path, text: str):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(path), language_id="terraform", version=1, text=text
            )
        )
    )


def change(client: LanguageClient, path, version: int, text: str):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=uri(path), version=version
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def code_actions(client: LanguageClient, path, diag: types.Diagnostic):
    """The code actions of one diagnostic of `path`."""
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri(path)),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )


async def test_cross_file_finding_hover_and_code_actions(client: LanguageClient, workspace):
    app, gw = workspace / "app.tf", workspace / "gw.tf"
    text = app.read_text()
    open_doc(client, app, text)
    change(client, app, 2, text.replace(*SLOW))
    await until(client, lambda: "AGW014" in codes(client, gw))
    assert app.read_text() == text, "the server never writes"

    diag = next(d for d in client.diagnostics[uri(gw)] if d.code == "AGW014")
    assert diag.source == "agwlint"
    # The severity is the CLI's for the same files (the edit saved in a copy), mapped.
    copy = workspace.parent / "cli-copy"
    shutil.copytree(workspace, copy)
    (copy / "app.tf").write_text(text.replace(*SLOW))
    out = subprocess.run(
        [BIN, "lint", "--format", "json", "."], cwd=copy, capture_output=True, check=False
    )
    cli = next(d for d in json.loads(out.stdout)["diagnostics"] if d["rule"] == "AGW014")
    assert cli["file"] == "gw.tf"
    want = {
        "error": types.DiagnosticSeverity.Error,
        "warning": types.DiagnosticSeverity.Warning,
        "info": types.DiagnosticSeverity.Information,
    }[cli["severity"]]
    assert diag.severity == want, (diag, cli)
    assert diag.code_description.href.endswith("/AGW014.md")
    assert any(r.location.uri == uri(app) for r in diag.related_information)
    line = gw.read_text().splitlines()[diag.range.start.line]
    assert "request_timeout" in line, line

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri(gw)),
            position=diag.range.start,
        )
    )
    assert hover is not None and "AGW014" in hover.contents.value

    actions = await code_actions(client, gw, diag)
    edits = [e for a in actions for e in a.edit.changes[uri(gw)]]
    assert any(
        e.new_text.strip().startswith("# agwlint-ignore AGW014: ")
        and e.range.start.line == diag.range.start.line
        for e in edits
    ), edits

    change(client, app, 3, text)
    await until(client, lambda: "AGW014" not in codes(client, gw))


async def test_host_name_fix(client: LanguageClient, workspace):
    gw = workspace / "gw.tf"
    text = gw.read_text().replace(
        "pick_host_name_from_backend_address = true",
        "pick_host_name_from_backend_address = false",
    )
    open_doc(client, gw, text)
    await until(client, lambda: "AGW010" in codes(client, gw))
    diag = next(d for d in client.diagnostics[uri(gw)] if d.code == "AGW010")
    actions = await code_actions(client, gw, diag)
    fix = next(a for a in actions if a.is_preferred)
    edit = fix.edit.changes[uri(gw)][0]
    assert edit.new_text == "true"
    line = text.splitlines()[edit.range.start.line]
    c = edit.range.start.character
    assert line[c : c + 5] == "false" and "pick_host_name" in line, line


def apply(text: str, edit: types.TextEdit) -> str:
    """The text with one edit applied (ASCII text: UTF-16 columns are characters)."""
    lines = text.splitlines(keepends=True)

    def offset(p: types.Position) -> int:
        return sum(len(l) for l in lines[: p.line]) + p.character

    return text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]


async def test_gateway_manager_rule_fix(client: LanguageClient, workspace):
    gw = workspace / "gw.tf"
    # The rule named AllowGatewayManager admits VirtualNetwork instead: AGW027 fires, and the
    # fix must pick another name and the next free priority (100 is taken).
    text = gw.read_text()
    assert text.count('source_address_prefix      = "GatewayManager"') == 1
    text = text.replace(
        'source_address_prefix      = "GatewayManager"',
        'source_address_prefix      = "VirtualNetwork"',
    )
    open_doc(client, gw, text)
    await until(client, lambda: "AGW027" in codes(client, gw))
    diag = next(d for d in client.diagnostics[uri(gw)] if d.code == "AGW027")
    assert diag.data["fix"]["title"].startswith("Add security rule"), diag.data
    actions = await code_actions(client, gw, diag)
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.title == (
        "Add security rule AllowGatewayManagerInbound "
        "(allow GatewayManager inbound on TCP 65200-65535, priority 101)"
    ), fix.title
    [edit] = fix.edit.changes[uri(gw)]
    assert edit.range.start == edit.range.end, "an insertion"
    # Before the NSG block's closing brace, as a block indented like the others.
    nsg = text.index('resource "azurerm_network_security_group" "agw"')
    close = text.index("\n}\n", nsg) + 1
    assert edit.range.start.line == text[:close].count("\n"), edit.range
    assert edit.new_text == (
        "\n"
        "  security_rule {\n"
        '    name                       = "AllowGatewayManagerInbound"\n'
        '    protocol                   = "Tcp"\n'
        '    source_port_range          = "*"\n'
        '    destination_port_range     = "65200-65535"\n'
        '    source_address_prefix      = "GatewayManager"\n'
        '    destination_address_prefix = "*"\n'
        '    access                     = "Allow"\n'
        "    priority                   = 101\n"
        '    direction                  = "Inbound"\n'
        "  }\n"
    ), edit.new_text
    # Applied to the buffer, the finding goes away.
    change(client, gw, 2, apply(text, edit))
    await until(client, lambda: "AGW027" not in codes(client, gw))


async def measure(client: LanguageClient, ws, label: str, rounds: int = 20):
    app, gw = ws / "app.tf", ws / "gw.tf"
    assert len(list(ws.glob("*.tf"))) == 10
    text = app.read_text()
    open_doc(client, app, text)
    times = []
    for i in range(rounds):
        slow = i % 2 == 0
        start = time.perf_counter()
        change(client, app, i + 2, text.replace(*SLOW) if slow else text)
        await until(client, lambda: ("AGW014" in codes(client, gw)) == slow)
        times.append((time.perf_counter() - start) * 1000)
    runs = [m.message for m in client.log_messages if "linted in" in m.message]
    lint_ms = [int(m.rsplit(" ", 2)[-2]) for m in runs[-rounds:]]
    print(
        f"\nBENCHMARK lsp didChange->diagnostics, 10-file workspace, {label}: "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
        f"over {rounds} edits; lint run median {statistics.median(lint_ms)} ms"
    )
    return times


async def test_benchmark_didchange_to_diagnostics(client10: LanguageClient, workspace10):
    await measure(client10, workspace10, "default 100 ms debounce")


async def test_benchmark_without_debounce(client10_nodebounce: LanguageClient, workspace10):
    await measure(client10_nodebounce, workspace10, "debounceMs 0")
