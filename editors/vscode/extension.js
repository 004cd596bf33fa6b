// The agwlint extension: starts `agwlint lsp` (a language server over stdio) for the workspace.
// Diagnostics, hover (the rule page) and quick fixes come from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("agwlint");
  const command = config.get("path", "agwlint");
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "json" },
      { scheme: "file", language: "jsonc" },
      { scheme: "file", language: "terraform" },
      { scheme: "file", language: "terraform-vars" },
      { scheme: "file", language: "bicep" },
      { scheme: "file", pattern: "**/*.{tf,tfvars,json,bicep,py,cs}" },
    ],
    synchronize: {
      // Configuration, parameter files and tfvars changed on disk re-lint the workspace.
      fileEvents: vscode.workspace.createFileSystemWatcher(
        "**/{.agwlint.yaml,*.parameters.json,*.bicepparam,*.tfvars,*.tf,*.json,*.bicep}"
      ),
    },
    initializationOptions: { debounceMs: config.get("debounceMs", 100) },
  };
  client = new LanguageClient("agwlint", "agwlint", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
