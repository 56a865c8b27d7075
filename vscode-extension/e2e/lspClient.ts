/** A minimal LSP client over stdio for the end-to-end test, built on vscode-languageserver-protocol. */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  createProtocolConnection,
  ExitNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type ConfigurationParams,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import type { ServerProcess } from '../src/launch';

/** Roughly what vscode-languageclient 11 declares, for the features wf-lsp uses (push diagnostics, code actions). */
export const CLIENT_CAPABILITIES: ClientCapabilities = {
  general: { positionEncodings: ['utf-16'] },
  workspace: {
    applyEdit: true,
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    executeCommand: { dynamicRegistration: true },
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'], failureHandling: 'textOnlyTransactional' },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: false,
      tagSupport: { valueSet: [1, 2] },
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    codeAction: {
      dynamicRegistration: true,
      isPreferredSupport: true,
      disabledSupport: true,
      dataSupport: true,
      resolveSupport: { properties: ['edit'] },
      honorsChangeAnnotations: true,
      codeActionLiteralSupport: {
        codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports', 'source.fixAll'] },
      },
    },
    hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
  },
  window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } }, showDocument: { support: true } },
};

export class LspTestClient {
  readonly connection: ProtocolConnection;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly log: string[] = [];
  private stderr = '';
  private waiters: (() => void)[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    answerConfiguration: (section: string | undefined) => unknown,
  ) {
    this.exited = new Promise((resolve) => {
      process.on('exit', (code) => {
        resolve(code);
        for (const wake of this.waiters.splice(0)) wake();
      });
      process.on('error', (error) => {
        this.stderr += `\nspawn failed: ${error.message}`;
        resolve(null);
      });
    });
    process.stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-20_000);
    });
    this.connection = createProtocolConnection(new StreamMessageReader(process.stdout), new StreamMessageWriter(process.stdin));
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      this.published.push(params);
      for (const wake of this.waiters.splice(0)) wake();
    });
    for (const method of ['window/logMessage', 'window/showMessage', '$/progress', 'telemetry/event', '$/logTrace']) {
      this.connection.onNotification(method, (params: unknown) => {
        this.log.push(`${method} ${JSON.stringify(params)}`.slice(0, 500));
      });
    }
    const answers: Record<string, (params: unknown) => unknown> = {
      'workspace/configuration': (params) => (params as ConfigurationParams).items.map((item) => answerConfiguration(item.section)),
      'window/showDocument': () => ({ success: true }),
      'window/showMessageRequest': () => null,
      'workspace/applyEdit': () => ({ applied: false, failureReason: 'the test applies edits itself' }),
      'client/registerCapability': () => null,
      'client/unregisterCapability': () => null,
      'window/workDoneProgress/create': () => null,
      'workspace/diagnostic/refresh': () => null,
      'workspace/codeLens/refresh': () => null,
      'workspace/inlayHint/refresh': () => null,
      'workspace/semanticTokens/refresh': () => null,
    };
    for (const [method, answer] of Object.entries(answers)) {
      this.connection.onRequest(method, (params: unknown) => {
        this.log.push(`request ${method} ${JSON.stringify(params)}`.slice(0, 500));
        return answer(params);
      });
    }
    this.connection.listen();
  }

  /** Spawns the server process and connects to its stdio. */
  static start(server: ServerProcess, answerConfiguration: (section: string | undefined) => unknown): LspTestClient {
    const child = spawn(server.command, server.args, { cwd: server.options.cwd, env: server.options.env, stdio: 'pipe' });
    return new LspTestClient(child, answerConfiguration);
  }

  /** The tail of the server's stderr, for failure messages. */
  get serverStderr(): string {
    return this.stderr;
  }

  /** `promise`, or an error when the server exits or `timeoutMs` passes first. */
  guard<T>(promise: Promise<T>, what: string, timeoutMs = 60_000): Promise<T> {
    const exit = this.exited.then((code) => {
      throw new Error(`the server exited (code ${String(code)}) while waiting for ${what}`);
    });
    return withTimeout(Promise.race([promise, exit]), timeoutMs, what);
  }

  /** The first publication for `uri` at or after index `from` that satisfies `accept`. */
  async waitForDiagnostics(uri: string, from: number, accept: (p: PublishDiagnosticsParams) => boolean, timeoutMs: number): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.published.slice(from).find((p) => p.uri === uri && accept(p));
      if (found !== undefined) return found;
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`the server exited (code ${String(this.process.exitCode)}) while waiting for diagnostics`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.published.filter((p) => p.uri === uri).map((p) => p.diagnostics.map((d) => String(d.code)).join(','));
        throw new Error(`timed out after ${timeoutMs} ms waiting for diagnostics on ${uri}; publications seen: ${JSON.stringify(seen)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** shutdown + exit, then waits for the process (killing it after `timeoutMs`); returns its exit code. */
  async stop(timeoutMs = 5_000): Promise<number | null> {
    try {
      await withTimeout(this.connection.sendRequest(ShutdownRequest.type), timeoutMs);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // The process may already be gone; it is killed below if not.
    }
    const code = await withTimeout(this.exited, timeoutMs).catch(() => {
      this.process.kill('SIGKILL');
      return null;
    });
    this.connection.dispose();
    return code;
  }

  /** Kills the server if it is still running. */
  kill(): void {
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
    this.connection.dispose();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what = 'the server'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
