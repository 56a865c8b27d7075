/** Activates and deactivates the extension; everything else lives in its own module. */

import * as vscode from 'vscode';
import { COMMANDS, registerCommands } from './commands';
import { watchConfiguration } from './config';
import { registerGraphView } from './graphView';
import { ServerController } from './server';
import { createStatusBar } from './statusBar';

let controller: ServerController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Workflow Language Server', { log: true });
  controller = new ServerController(output, vscode.Uri.joinPath(context.extensionUri, 'README.md'));
  const server = controller;
  context.subscriptions.push(
    output,
    server,
    createStatusBar(server, COMMANDS.showOutput),
    ...registerCommands(server, output, vscode.Uri.joinPath(context.globalStorageUri, 'reports')),
    ...registerGraphView(server, context.extensionUri, output),
    watchConfiguration(
      () => server.notifySettingsChanged(),
      () => void server.restart(),
    ),
  );
  void server.start();
}

export async function deactivate(): Promise<void> {
  await controller?.stop();
  controller = undefined;
}
