/** Real answers to the launch probes from Node (PATH lookup, file checks, `import wf_lsp`); no `vscode` import. */

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LaunchProbes } from './launch';

export interface NodeProbeOptions {
  workspaceFolder?: string;
  env?: NodeJS.ProcessEnv;
  /** Asks the Python extension; absent outside VS Code. */
  pythonExtensionInterpreter?: () => Promise<string[] | undefined>;
}

const IMPORT_CHECK = 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("wf_lsp") else 1)';
const IMPORT_TIMEOUT_MS = 15_000;

/** Probes backed by the file system, PATH and child processes. */
export function nodeProbes(options: NodeProbeOptions = {}): LaunchProbes {
  const env = options.env ?? process.env;
  return {
    workspaceFolder: options.workspaceFolder,
    home: os.homedir(),
    env,
    which: (name) => which(name, env),
    exists: (file) => isFile(file),
    pythonExtensionInterpreter: options.pythonExtensionInterpreter ?? (() => Promise.resolve(undefined)),
    hasWfLsp: (python) => canImportWfLsp(python, env),
  };
}

/** The first executable called `name` on PATH (with PATHEXT on Windows). */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter((d) => d !== '');
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  if (!isFile(file)) return false;
  if (process.platform === 'win32') return true;
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function canImportWfLsp(python: readonly string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  const [head, ...rest] = python;
  if (head === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    execFile(head, [...rest, '-c', IMPORT_CHECK], { env, timeout: IMPORT_TIMEOUT_MS, windowsHide: true }, (error) =>
      resolve(error === null),
    );
  });
}
