// The VS Code client of `regime lsp`: starts the language server (the
// `regime` binary named by the `regime.path` setting) for .reg files and
// restarts it when that setting changes. Highlighting comes from the
// TextMate grammar (syntaxes/regime.tmLanguage.json); everything else —
// diagnostics, hover, go to definition, references, outline, completion,
// formatting, quick fixes, semantic tokens — from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function serverOptions() {
  const command = vscode.workspace.getConfiguration("regime").get("path") || "regime";
  return { command, args: ["lsp"] };
}

async function start() {
  client = new LanguageClient("regime", "regime", serverOptions(), {
    documentSelector: [{ language: "regime" }],
  });
  await client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("regime.path") && client) {
        await client.stop();
        await start();
      }
    }),
  );
  try {
    await start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `regime: cannot start \`${serverOptions().command} lsp\` (${err}). Set "regime.path" to the regime binary.`,
    );
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
