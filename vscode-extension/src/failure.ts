/** The one error message shown when the server cannot be started, with its ways out. */

import * as vscode from 'vscode';

export const INSTALL_INSTRUCTIONS = 'Open install instructions';
export const OPEN_SETTINGS = 'Open settings';
export const SHOW_OUTPUT = 'Show output';

/** Shows `message` with buttons for the install instructions (the README), the settings and the output. */
export async function showFailure(message: string, readmeUri: vscode.Uri, output: vscode.OutputChannel): Promise<void> {
  const choice = await vscode.window.showErrorMessage(message, INSTALL_INSTRUCTIONS, OPEN_SETTINGS, SHOW_OUTPUT);
  if (choice === INSTALL_INSTRUCTIONS) {
    await vscode.commands.executeCommand('markdown.showPreview', readmeUri).then(undefined, () =>
      vscode.window.showTextDocument(readmeUri),
    );
  } else if (choice === OPEN_SETTINGS) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'wfLsp.');
  } else if (choice === SHOW_OUTPUT) {
    output.show(true);
  }
}
