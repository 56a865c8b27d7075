/** The status bar item: server state and the active file's wf-lsp errors/warnings; a click shows the output. */

import * as vscode from 'vscode';
import type { ServerController } from './server';
import { statusView, type ProblemCounts } from './statusText';

const SOURCE = 'wf-lsp';
const LANGUAGES = new Set(['json', 'jsonc']);

/** Creates the item and keeps it up to date; dispose to remove it. */
export function createStatusBar(controller: ServerController, showOutputCommand: string): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('wfLsp.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Workflow Language Server';
  item.command = showOutputCommand;

  let document: vscode.TextDocument | undefined;
  // The dialect the server decided for each file (asked after its diagnostics arrive).
  const dialects = new Map<string, string>();
  const askDialect = (uri: vscode.Uri): void => {
    if (controller.state !== 'running') return;
    controller.executeCommand('wf.documentInfo', [uri.toString()]).then(
      (info) => {
        const dialect = (info as { dialect?: unknown } | undefined)?.dialect;
        if (typeof dialect === 'string' && dialects.get(uri.toString()) !== dialect) {
          dialects.set(uri.toString(), dialect);
          update();
        }
      },
      () => undefined,
    );
  };
  const update = (): void => {
    const active = vscode.window.activeTextEditor?.document;
    // Focusing the output panel makes it the "active editor"; keep describing the file the user was in.
    if (active === undefined || active.uri.scheme !== 'output') document = active;
    const relevant = document !== undefined && LANGUAGES.has(document.languageId);
    const dialect = relevant && document ? dialects.get(document.uri.toString()) : undefined;
    const view = statusView(controller.state, relevant && document ? countProblems(document.uri) : undefined, controller.detail, dialect);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.backgroundColor = view.alarm ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    if (relevant || controller.state === 'error') item.show();
    else item.hide();
  };

  update();
  return vscode.Disposable.from(
    item,
    controller.onDidChangeState(update),
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.languages.onDidChangeDiagnostics((event) => {
      const shown = document?.uri.toString();
      if (shown !== undefined && event.uris.some((uri) => uri.toString() === shown)) {
        update();
        if (document !== undefined) askDialect(document.uri);
      }
    }),
  );
}

function countProblems(uri: vscode.Uri): ProblemCounts {
  const counts: ProblemCounts = { errors: 0, warnings: 0 };
  for (const diagnostic of vscode.languages.getDiagnostics(uri)) {
    if (diagnostic.source !== SOURCE) continue;
    if (diagnostic.severity === vscode.DiagnosticSeverity.Error) counts.errors++;
    else if (diagnostic.severity === vscode.DiagnosticSeverity.Warning) counts.warnings++;
  }
  return counts;
}
