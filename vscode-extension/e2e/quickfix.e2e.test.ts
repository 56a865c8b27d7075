/**
 * End to end: start the server exactly as the extension does (same launch resolution, same initializationOptions),
 * open a corpus workflow with a planted duplicate node name, apply the server's quick fix, see the problem go.
 */

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, it } from 'node:test';
import {
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  InitializedNotification,
  InitializeRequest,
  type CodeAction,
  type Command,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { describeLaunch, resolveServerCommand, serverProcess } from '../src/launch';
import { nodeProbes } from '../src/probes';
import { mapSettings, objectConfig, SERVER_SECTION } from '../src/settings';
import { REPO_ROOT, pythonInterpreter } from '../test/paths';
import { CLIENT_CAPABILITIES, LspTestClient } from './lspClient';

const CODE = 'DUPLICATE_NODE_NAME';
const CORPUS_DIR = process.env.WF_CORPUS_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'corpus', 'metabuilder');
const CORPUS_FILE = 'gameengine__packages__bootstrap__workflows__boot_default.json';
const DIAGNOSTICS_TIMEOUT_MS = 60_000;

let workspace = '';
let client: LspTestClient | undefined;

before(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-lsp-e2e-'));
});

after(async () => {
  await client?.stop();
  client?.kill();
  fs.rmSync(workspace, { recursive: true, force: true });
});

/** The corpus workflow with the second node renamed to the first node's name. */
function plantDuplicate(original: string): { text: string; name: string } {
  const nodes = (JSON.parse(original) as { nodes: { name: string }[] }).nodes;
  const [first, second] = nodes;
  assert.ok(first && second, 'the corpus file has at least two nodes');
  const needle = `"name": ${JSON.stringify(second.name)}`;
  assert.equal(original.split(needle).length, 2, `${needle} occurs once`);
  return { text: original.replace(needle, `"name": ${JSON.stringify(first.name)}`), name: first.name };
}

function hasCode(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.code === CODE);
}

function editsFor(edit: WorkspaceEdit, uri: string): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const change of edit.documentChanges ?? []) {
    if (!('textDocument' in change) || change.textDocument.uri !== uri) continue;
    for (const e of change.edits) {
      assert.ok('newText' in e, 'the fix uses plain text edits, not snippets');
      edits.push(e);
    }
  }
  edits.push(...(edit.changes?.[uri] ?? []));
  return edits;
}

it('renames a planted duplicate node with the server quick fix and the diagnostic goes away', async (t) => {
  // 1. Launch exactly as the extension resolves it, with wfLsp.interpreter set.
  const config = objectConfig({});
  const probes = nodeProbes({ workspaceFolder: workspace });
  const launch = await resolveServerCommand({ interpreter: pythonInterpreter() }, probes);
  assert.ok(launch.ok, launch.ok ? '' : `launch resolution failed: ${launch.reason}`);
  t.diagnostic(`server: ${describeLaunch(launch)} (${launch.source})`);
  const settings = mapSettings(config, probes);
  const spawnSpec = serverProcess(launch, workspace, process.env);
  const server = LspTestClient.start(spawnSpec, (section) => (section === SERVER_SECTION ? settings : null));
  client = server;

  try {
    // 2. initialize / initialized with the extension's initializationOptions.
    const rootUri = pathToFileURL(workspace).href;
    const init = await server.guard(server.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      clientInfo: { name: 'wf-lsp e2e', version: '1' },
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- VS Code still sends it; older servers read it
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: path.basename(workspace) }],
      capabilities: CLIENT_CAPABILITIES,
      initializationOptions: settings,
    }), 'initialize');
    t.diagnostic(`server info: ${JSON.stringify(init.serverInfo ?? null)}`);
    assert.ok(init.capabilities.codeActionProvider, 'the server offers code actions');
    await server.connection.sendNotification(InitializedNotification.type, {});

    // 3. didOpen the corpus copy with a duplicate name.
    const original = fs.readFileSync(path.join(CORPUS_DIR, CORPUS_FILE), 'utf8');
    const planted = plantDuplicate(original);
    const file = path.join(workspace, 'workflows', 'boot_default.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, planted.text);
    const uri = pathToFileURL(file).href;
    let document = TextDocument.create(uri, 'json', 1, planted.text);
    const opened = server.published.length;
    await server.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'json', version: 1, text: planted.text },
    });

    // 4. The duplicate is reported.
    const before = await server.waitForDiagnostics(uri, opened, (p) => hasCode(p.diagnostics), DIAGNOSTICS_TIMEOUT_MS);
    const diagnostic = before.diagnostics.find((d) => d.code === CODE);
    assert.ok(diagnostic);
    assert.equal(diagnostic.source, 'wf-lsp');
    const message = typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
    t.diagnostic(`diagnostic: ${message} at ${JSON.stringify(diagnostic.range)}`);

    // 5. Ask for code actions on its range, pick "Rename duplicate node ...".
    const request = server.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], triggerKind: CodeActionTriggerKind.Invoked },
    });
    const actions = (await server.guard(request, 'textDocument/codeAction')) ?? [];
    const titles = actions.map((a) => a.title);
    t.diagnostic(`code actions: ${JSON.stringify(titles)}`);
    let fix = actions.find((a): a is CodeAction => !isCommand(a) && a.title.startsWith('Rename duplicate node'));
    assert.ok(fix, `a "Rename duplicate node" quick fix among ${JSON.stringify(titles)}`);
    if (fix.kind !== undefined) assert.ok(fix.kind.startsWith('quickfix'), `kind ${fix.kind} is a quickfix`);
    if (fix.edit === undefined) fix = await server.guard(server.connection.sendRequest(CodeActionResolveRequest.type, fix), 'codeAction/resolve');
    assert.ok(fix.edit, 'the quick fix carries a workspace edit');

    // 6. Apply its edit ourselves and send the new text.
    const edits = editsFor(fix.edit, uri);
    assert.ok(edits.length > 0, 'the edit changes the document');
    const fixed = TextDocument.applyEdits(document, edits);
    const names = (JSON.parse(fixed) as { nodes: { name: string }[] }).nodes.map((n) => n.name);
    assert.equal(new Set(names).size, names.length, `node names are unique after the fix: ${JSON.stringify(names)}`);
    assert.ok(names.includes(planted.name));
    document = TextDocument.update(document, [{ text: fixed }], 2);
    const changed = server.published.length;
    await server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: document.version },
      contentChanges: [{ text: fixed }],
    });

    // 7. The duplicate is gone, and stays gone.
    await server.waitForDiagnostics(uri, changed, (p) => !hasCode(p.diagnostics), DIAGNOSTICS_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const latest = server.published.filter((p) => p.uri === uri).at(-1);
    assert.ok(latest && !hasCode(latest.diagnostics), 'the latest diagnostics have no duplicate node name');

    // 8. shutdown / exit.
    const code = await server.stop();
    client = undefined;
    assert.equal(code, 0, 'the server exits with 0 after shutdown/exit');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n--- server stderr (tail) ---\n${server.serverStderr.slice(-4_000)}\n--- last messages ---\n${server.log.slice(-15).join('\n')}`, { cause: error });
  }
});

function isCommand(value: Command | CodeAction): value is Command {
  return typeof (value as Command).command === 'string';
}
