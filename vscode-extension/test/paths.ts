/** Paths the tests share: the extension folder, the repository root and the default interpreter. */

import * as path from 'node:path';

/** vscode-extension/ (tests run compiled from out/test or out/e2e). */
export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..');
/** The repository root, parent of vscode-extension/. */
export const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..');

/** The Python that has wf_lsp: $WF_LSP_PYTHON, else the repository's .venv. */
export function pythonInterpreter(): string {
  const fromEnv = process.env.WF_LSP_PYTHON;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return path.join(REPO_ROOT, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
}
