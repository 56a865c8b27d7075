/** Reads the `wfLsp` configuration from VS Code and answers the server's `workspace/configuration` requests. */

import * as os from 'node:os';
import * as vscode from 'vscode';
import type { ConfigurationParams, LSPAny } from 'vscode-languageclient';
import type { LaunchConfig } from './launch';
import { CONFIG_SECTION, mapSettings, onlySet, SERVER_SECTION, type ExpandContext, type ServerSettings } from './settings';

/** Settings that change how the server is started: a change restarts it. */
export const LAUNCH_KEYS = ['serverCommand', 'interpreter'] as const;

/** The workspace folder a resource belongs to, or the first one. */
export function workspaceFolderFor(resource?: vscode.Uri): vscode.WorkspaceFolder | undefined {
  return (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** Variables for a resource's settings. */
export function expandContext(resource?: vscode.Uri): ExpandContext {
  return { workspaceFolder: workspaceFolderFor(resource)?.uri.fsPath, home: os.homedir(), env: process.env };
}

/** The server settings the user has set for a resource (or the workspace): defaults are left to the server, so the
 * project's settings file fills every key the user has not set (`wfLsp.configurationPreference`). */
export function serverSettings(resource?: vscode.Uri): Partial<ServerSettings> {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, resource);
  return onlySet(mapSettings(config, expandContext(resource)), (key) => isSet(config, key));
}

function isSet(config: vscode.WorkspaceConfiguration, key: string): boolean {
  const seen = config.inspect(key);
  if (!seen) return false;
  return [
    seen.globalValue,
    seen.workspaceValue,
    seen.workspaceFolderValue,
    seen.globalLanguageValue,
    seen.workspaceLanguageValue,
    seen.workspaceFolderLanguageValue,
  ].some((value) => value !== undefined);
}

/** `wfLsp.serverCommand` and `wfLsp.interpreter` for the workspace. */
export function launchConfig(): LaunchConfig {
  const config = vscode.workspace.getConfiguration(CONFIG_SECTION, workspaceFolderFor()?.uri);
  return { serverCommand: config.get<string[]>('serverCommand'), interpreter: config.get<string>('interpreter') };
}

type Next = (params: ConfigurationParams, token: vscode.CancellationToken) => unknown;

/** `middleware.workspace.configuration`: section `wf-lsp` gets the mapped settings; other sections go to VS Code. */
export async function answerConfiguration(params: ConfigurationParams, token: vscode.CancellationToken, next: Next): Promise<LSPAny[]> {
  const answered = await Promise.resolve(next(params, token));
  const fallback: LSPAny[] = Array.isArray(answered) ? answered : [];
  return params.items.map((item, i): LSPAny => {
    if (item.section !== SERVER_SECTION) return fallback[i] ?? null;
    return serverSettings(item.scopeUri !== undefined ? vscode.Uri.parse(item.scopeUri) : undefined);
  });
}

/** Calls `onSettings` when a server setting changes and `onLaunch` when a launch setting does. */
export function watchConfiguration(onSettings: () => void, onLaunch: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration(CONFIG_SECTION)) return;
    if (LAUNCH_KEYS.some((key) => event.affectsConfiguration(`${CONFIG_SECTION}.${key}`))) onLaunch();
    else onSettings();
  });
}
