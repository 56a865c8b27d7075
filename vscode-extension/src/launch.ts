/** Decides how to start the server from the settings and what the environment offers (pure: probes are injected). */

import * as path from 'node:path';
import { expandVariables, type ExpandContext } from './settings';

/** The launch-related settings (`wfLsp.serverCommand`, `wfLsp.interpreter`). */
export interface LaunchConfig {
  serverCommand?: readonly string[] | null;
  interpreter?: string | null;
}

/** Questions about the environment; the extension and the end-to-end test answer them for real, unit tests fake them. */
export interface LaunchProbes extends ExpandContext {
  /** Absolute path of an executable found on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Whether a file exists. */
  exists(file: string): boolean;
  /** The command of the interpreter selected in the Python extension, or undefined when it is absent or has none. */
  pythonExtensionInterpreter(): Promise<string[] | undefined>;
  /** Whether `wf_lsp` can be imported by this interpreter command. */
  hasWfLsp(python: readonly string[]): Promise<boolean>;
}

export type LaunchSource = 'serverCommand' | 'interpreter' | 'pythonExtension' | 'path';

export interface LaunchPlan {
  ok: true;
  command: string;
  args: string[];
  source: LaunchSource;
  /** What was tried before this one, for the log. */
  tried: string[];
}

export interface LaunchFailure {
  ok: false;
  /** One sentence for the user. */
  reason: string;
  tried: string[];
}

export type Launch = LaunchPlan | LaunchFailure;

export const SERVE_ARGS: readonly string[] = ['-m', 'wf_lsp', 'serve'];
export const EXECUTABLE = 'wf-lsp';

/**
 * Resolves the server command: `wfLsp.serverCommand`, else `wfLsp.interpreter -m wf_lsp serve`, else the Python
 * extension's interpreter when it has `wf_lsp`, else `wf-lsp serve` from PATH. An explicit setting that points
 * nowhere is an error, not a reason to try the next way: the user asked for that one.
 */
export async function resolveServerCommand(config: LaunchConfig, probes: LaunchProbes): Promise<Launch> {
  const tried: string[] = [];
  const command = (config.serverCommand ?? []).filter((part) => part.trim() !== '');
  if (command.length > 0) {
    const [head = '', ...rest] = command.map((part) => expandVariables(part, probes));
    const found = locate(head, probes);
    if (found === undefined) {
      return fail(`wfLsp.serverCommand: '${head}' was not found`, [...tried, `serverCommand ${head}`]);
    }
    return { ok: true, command: found, args: rest, source: 'serverCommand', tried };
  }

  const interpreter = (config.interpreter ?? '').trim();
  if (interpreter !== '') {
    const expanded = expandVariables(interpreter, probes);
    const found = locate(expanded, probes);
    if (found === undefined) {
      return fail(`wfLsp.interpreter: '${expanded}' was not found`, [...tried, `interpreter ${expanded}`]);
    }
    return { ok: true, command: found, args: [...SERVE_ARGS], source: 'interpreter', tried };
  }

  const selected = await probes.pythonExtensionInterpreter();
  if (selected !== undefined && selected.length > 0) {
    const [head = '', ...rest] = selected;
    if (await probes.hasWfLsp(selected)) {
      return { ok: true, command: head, args: [...rest, ...SERVE_ARGS], source: 'pythonExtension', tried };
    }
    tried.push(`Python extension interpreter ${selected.join(' ')} (wf_lsp is not installed in it)`);
  } else {
    tried.push('Python extension interpreter (not installed or none selected)');
  }

  const onPath = probes.which(EXECUTABLE);
  if (onPath !== undefined) return { ok: true, command: onPath, args: ['serve'], source: 'path', tried };
  tried.push(`'${EXECUTABLE}' on PATH (not found)`);
  return fail('the wf-lsp language server was not found', tried);
}

/** How to spawn the server for a plan (vscode-languageclient `Executable` shape, also used by the end-to-end test). */
export interface ServerProcess {
  command: string;
  args: string[];
  options: { cwd?: string; env: Record<string, string | undefined> };
}

/**
 * The process for a plan: unbuffered UTF-8 Python I/O, started in the workspace folder. There is deliberately no
 * `transport` field: with `TransportKind.stdio` vscode-languageclient appends `--stdio`, which `wf-lsp serve` rejects.
 */
export function serverProcess(plan: LaunchPlan, cwd: string | undefined, env: Readonly<Record<string, string | undefined>>): ServerProcess {
  return {
    command: plan.command,
    args: [...plan.args],
    options: { cwd, env: { ...env, PYTHONUNBUFFERED: '1', PYTHONIOENCODING: 'utf-8' } },
  };
}

/** The command line as one string, for logs and messages. */
export function describeLaunch(plan: LaunchPlan): string {
  return [plan.command, ...plan.args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ');
}

function fail(reason: string, tried: string[]): LaunchFailure {
  return { ok: false, reason, tried };
}

/** An executable given as a path (relative to the workspace folder) or as a bare name looked up on PATH. */
function locate(program: string, probes: LaunchProbes): string | undefined {
  if (program.includes('/') || program.includes('\\')) {
    const absolute = path.isAbsolute(program) ? program : path.resolve(probes.workspaceFolder ?? '.', program);
    return probes.exists(absolute) ? absolute : undefined;
  }
  return probes.which(program);
}
