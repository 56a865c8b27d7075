/** Asks the Python extension (ms-python.python), when installed, which interpreter the user selected. */

import * as vscode from 'vscode';

const PYTHON_EXTENSION_ID = 'ms-python.python';
const ACTIVATION_TIMEOUT_MS = 10_000;

/** The parts of the Python extension's API this extension uses (its newer `environments` API and the older `settings`). */
interface PythonApi {
  ready?: Thenable<void>;
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
    resolveEnvironment(env: { id: string; path: string } | string): Thenable<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails?: vscode.Event<unknown>;
  };
}

async function pythonApi(): Promise<PythonApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) return undefined;
  const api = extension.isActive ? extension.exports : await withTimeout(Promise.resolve(extension.activate()));
  if (api?.ready) await withTimeout(Promise.resolve(api.ready));
  return api;
}

/** The selected interpreter's command, or undefined when the Python extension is absent, slow, or has no selection. */
export async function selectedInterpreter(resource?: vscode.Uri, log?: (message: string) => void): Promise<string[] | undefined> {
  try {
    const api = await pythonApi();
    if (api === undefined) return undefined;
    if (api.environments) {
      const active = api.environments.getActiveEnvironmentPath(resource);
      const resolved = await api.environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      if (executable) return [executable];
    }
    const command = api.settings?.getExecutionDetails(resource).execCommand;
    return command && command.length > 0 ? command : undefined;
  } catch (error) {
    log?.(`Could not ask the Python extension for its interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Calls `listener` when the user selects another interpreter in the Python extension (if it is installed and active). */
export function onInterpreterChanged(listener: () => void): vscode.Disposable {
  const extension = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION_ID);
  const api = extension?.isActive ? extension.exports : undefined;
  const event = api?.environments?.onDidChangeActiveEnvironmentPath ?? api?.settings?.onDidChangeExecutionDetails;
  return event ? event(() => listener()) : new vscode.Disposable(() => undefined);
}

function withTimeout<T>(promise: Promise<T>): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ACTIVATION_TIMEOUT_MS))]);
}
