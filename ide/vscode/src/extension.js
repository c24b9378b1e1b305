// The VS Code side of tamp: starts `tamp lsp` over stdio for .recipe and .target files. Highlighting comes from the
// TextMate grammar in syntaxes/, which is generated from the compiler's lexer (see README.md).
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('tamp');
  const command = config.get('server.command', 'tamp');
  const args = config.get('server.args', ['lsp']);
  const serverOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'tamp-recipe' },
      { scheme: 'file', language: 'tamp-target' },
      { scheme: 'untitled', language: 'tamp-recipe' },
      { scheme: 'untitled', language: 'tamp-target' },
    ],
  };
  client = new LanguageClient('tamp', 'tamp language server', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
