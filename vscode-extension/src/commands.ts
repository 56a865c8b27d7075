/** The palette commands (category "Workflow"): reports, workspace validation, cache, restart, output. */

import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseTenantDiagnostics, renderExecutionPlan, summarizeCacheClear, summarizeValidation, tenantLabel, type TenantDiagnostics, type TenantSummary } from './report';
import type { ServerController } from './server';

/** Command ids the extension contributes (the server's own commands are `wf.*`). */
export const COMMANDS = {
  showTenantDiagnostics: 'wfLsp.showTenantDiagnostics',
  validateWorkspace: 'wfLsp.validateWorkspace',
  showExecutionPlan: 'wfLsp.showExecutionPlan',
  clearCache: 'wfLsp.clearCache',
  restartServer: 'wfLsp.restartServer',
  showOutput: 'wfLsp.showOutput',
} as const;

/** Registers every command; each failure becomes one error message naming the command. */
export function registerCommands(controller: ServerController, output: vscode.LogOutputChannel, reportDir: vscode.Uri): vscode.Disposable[] {
  const register = (id: string, title: string, run: (...args: unknown[]) => Promise<unknown>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await run(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        output.error(`${title}: ${message}`);
        void vscode.window.showErrorMessage(`Workflow: ${title} failed: ${message}`);
      }
    });
  return [
    // From a context menu VS Code passes the file's URI: that file's tenant is reported.
    register(COMMANDS.showTenantDiagnostics, 'Show Tenant Diagnostics', (resource?: unknown) =>
      showTenantDiagnostics(controller, resource instanceof vscode.Uri ? resource : undefined),
    ),
    register(COMMANDS.validateWorkspace, 'Validate Workspace', () => validateWorkspace(controller)),
    register(COMMANDS.showExecutionPlan, 'Show Execution Plan', () => showExecutionPlan(controller, reportDir)),
    register(COMMANDS.clearCache, 'Clear Validation Cache', async () => {
      const result = await controller.executeCommand('wf.clearCache');
      void vscode.window.showInformationMessage(summarizeCacheClear(result));
    }),
    register(COMMANDS.restartServer, 'Restart Server', () => controller.restart()),
    register(COMMANDS.showOutput, 'Show Output', () => {
      output.show(true);
      return Promise.resolve();
    }),
  ];
}

interface TenantPick extends vscode.QuickPickItem {
  tenant?: TenantSummary;
}

/** Asks the server to write its report without showing it: the extension opens it as a rendered preview. */
const WRITE_ONLY = { show: false };

async function showTenantDiagnostics(controller: ServerController, resource?: vscode.Uri): Promise<void> {
  const args = resource ? [resource.toString(), WRITE_ONLY] : [WRITE_ONLY];
  const first = expectTenants(await progress('Collecting tenant diagnostics…', () => controller.executeCommand('wf.showTenantDiagnostics', args)));
  if (first.problem !== undefined) void vscode.window.showWarningMessage(`Workflow: ${first.problem}`);
  let report: TenantDiagnostics = first;
  if (first.tenants.length > 1 && resource === undefined) {
    const items: TenantPick[] = first.tenants.map((tenant) => ({ label: tenantLabel(tenant), tenant }));
    items.push({ label: 'All tenants', description: `${first.tenants.length} tenants in one report` });
    const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Show diagnostics for which tenant?' });
    if (pick === undefined) return;
    const chosen = pick.tenant;
    if (chosen !== undefined) {
      report = expectTenants(await progress(`Collecting diagnostics for ${pick.label}…`, () =>
        controller.executeCommand('wf.showTenantDiagnostics', [tenantLabel(chosen), WRITE_ONLY]),
      ));
    }
  }
  if (report.document === undefined) throw new Error('the server wrote no report');
  await showPreview(vscode.Uri.parse(report.document));
}

async function validateWorkspace(controller: ServerController): Promise<void> {
  const result = await progress('Validating workflow files…', () => controller.executeCommand('wf.validateWorkspace'));
  const choice = await vscode.window.showInformationMessage(summarizeValidation(result), 'Show Problems');
  if (choice !== undefined) await vscode.commands.executeCommand('workbench.actions.view.problems');
}

async function showExecutionPlan(controller: ServerController, reportDir: vscode.Uri): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  if (document === undefined || !['json', 'jsonc'].includes(document.languageId)) {
    void vscode.window.showWarningMessage('Open a workflow JSON file to see its execution plan.');
    return;
  }
  const result = await controller.executeCommand('wf.executionPlan', [document.uri.toString()]);
  const name = document.isUntitled ? document.uri.path : path.basename(document.uri.fsPath);
  await openMarkdown(vscode.Uri.joinPath(reportDir, 'execution-plan.md'), renderExecutionPlan(result, name));
}

function expectTenants(value: unknown): TenantDiagnostics {
  const parsed = parseTenantDiagnostics(value);
  if (parsed === undefined) throw new Error('the server returned no tenant list');
  return parsed;
}

function progress<T>(title: string, task: () => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, task);
}

/** Writes Markdown to `file` (in the extension's storage) and opens its rendered preview, or the text if that fails. */
async function openMarkdown(file: vscode.Uri, content: string): Promise<void> {
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(file, '..'));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(content));
  await showPreview(file);
}

/** Opens a Markdown file's rendered preview, or the text if that fails. */
async function showPreview(file: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', file);
  } catch {
    await vscode.window.showTextDocument(file, { preview: true });
  }
}
