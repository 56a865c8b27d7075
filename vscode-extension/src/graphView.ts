/** "Workflow: Show Graph": a webview beside the editor drawing the active workflow, redrawn as the user types. */

import * as vscode from 'vscode';
import { graphHtml } from './graphHtml';
import type { GraphResult } from './graphLayout';
import type { ServerController } from './server';

/** Milliseconds after the last keystroke before the graph is redrawn. */
export const REDRAW_DEBOUNCE_MS = 300;

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars.charAt(Math.floor(Math.random() * chars.length));
  return out;
}

function isWorkflowCandidate(document: vscode.TextDocument): boolean {
  return document.languageId === 'json' || document.languageId === 'jsonc';
}

export class GraphView implements vscode.Disposable {
  static readonly viewType = 'wfLsp.graph';
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.TextDocument | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sequence = 0;
  private last: GraphResult | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly controller: ServerController,
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.document && e.contentChanges.length > 0) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel && editor && isWorkflowCandidate(editor.document) && editor.document !== this.document) {
          this.document = editor.document;
          this.schedule(0);
        }
      }),
    );
  }

  /** Opens the view beside the active editor (or brings it forward) for the active workflow. */
  async show(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document ?? this.document;
    if (document === undefined || !isWorkflowCandidate(document)) {
      void vscode.window.showWarningMessage('Open a workflow JSON file to see its graph.');
      return;
    }
    this.document = document;
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      this.panel = this.createPanel();
    }
    await this.refresh();
  }

  private createPanel(): vscode.WebviewPanel {
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel(GraphView.viewType, 'Workflow Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: false,
    });
    const webview = panel.webview;
    const script = webview.asWebviewUri(vscode.Uri.joinPath(media, 'graph.js')).toString();
    const style = webview.asWebviewUri(vscode.Uri.joinPath(media, 'graph.css')).toString();
    webview.html = graphHtml(webview.cspSource, nonce(), script, style);
    webview.onDidReceiveMessage((message: { type?: string; index?: unknown }) => {
      if (message.type === 'ready' && this.last) void webview.postMessage({ type: 'graph', result: this.last });
      else if (message.type === 'ready') void this.refresh();
      else if (message.type === 'reveal' && typeof message.index === 'number') void this.reveal(message.index);
    });
    panel.onDidChangeViewState(() => {
      if (panel.visible && this.last) void webview.postMessage({ type: 'graph', result: this.last });
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.last = undefined;
      if (this.timer) clearTimeout(this.timer);
    });
    return panel;
  }

  private schedule(delay = REDRAW_DEBOUNCE_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
  }

  /** Asks the server for the graph of the document's current text and draws it (a later request wins). */
  private async refresh(): Promise<void> {
    const document = this.document;
    const panel = this.panel;
    if (!document || !panel) return;
    const sequence = ++this.sequence;
    try {
      const result = (await this.controller.executeCommand('wf.graph', [document.uri.toString()])) as GraphResult;
      if (sequence !== this.sequence || this.panel !== panel) return;
      this.last = result;
      panel.title = `Graph: ${document.uri.path.split('/').pop() ?? ''}`;
      await panel.webview.postMessage({ type: 'graph', result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.warn(`wf.graph failed: ${message}`);
      if (sequence === this.sequence) {
        await panel.webview.postMessage({ type: 'graph', result: { uri: null, graph: null, mermaid: null, errors: [{ code: 'ERROR', message }] } });
      }
    }
  }

  /** Shows the node's JSON in its editor, its name selected. */
  private async reveal(index: number): Promise<void> {
    const document = this.document;
    const node = this.last?.graph?.nodes.find((n) => n.index === index);
    if (!document || !node) return;
    const range = (node.nameRange ?? node.range) as Range | null | undefined;
    const whole = node.range as Range | null | undefined;
    if (!range) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const toRange = (r: Range): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
    const selection = toRange(range);
    editor.selection = new vscode.Selection(selection.start, selection.end);
    editor.revealRange(whole ? toRange(whole) : selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** The command id of "Workflow: Show Graph". */
export const SHOW_GRAPH = 'wfLsp.showGraph';

/** Registers the view and its command. */
export function registerGraphView(controller: ServerController, extensionUri: vscode.Uri, output: vscode.LogOutputChannel): vscode.Disposable[] {
  const view = new GraphView(controller, extensionUri, output);
  return [
    new vscode.Disposable(() => view.dispose()),
    vscode.commands.registerCommand(SHOW_GRAPH, async () => {
      try {
        await view.show();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        output.error(`Show Graph: ${message}`);
        void vscode.window.showErrorMessage(`Workflow: Show Graph failed: ${message}`);
      }
    }),
  ];
}
