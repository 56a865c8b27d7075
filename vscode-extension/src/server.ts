/** Owns the language client: resolves the launch, starts, stops and restarts the server, and reports failures once. */

import * as readline from 'node:readline';
import * as vscode from 'vscode';
import {
  CloseAction,
  DidChangeConfigurationNotification,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { answerConfiguration, launchConfig, serverSettings, workspaceFolderFor } from './config';
import { describeLaunch, resolveServerCommand, serverProcess, type LaunchPlan } from './launch';
import { showFailure } from './failure';
import { nodeProbes } from './probes';
import { onInterpreterChanged, selectedInterpreter } from './python';
import { DEFAULT_RESTART_POLICY, RestartPolicy } from './restartPolicy';
import { logLine } from './serverLog';
import { SERVER_SECTION } from './settings';
import type { ServerState } from './statusText';

export const CLIENT_ID = 'wfLsp';
const CLIENT_NAME = 'Workflow Language Server';
const CONNECTION_ERRORS_TOLERATED = 3;

/** Workflow files are JSON; the server decides by content which ones it validates. */
const DOCUMENT_SELECTOR = ['json', 'jsonc'].flatMap((language) =>
  ['file', 'untitled'].map((scheme) => ({ language, scheme })),
);

/** A LanguageClient whose forced error pop-ups are logged instead: the controller shows one message of its own. */
class QuietLanguageClient extends LanguageClient {
  constructor(
    serverOptions: ServerOptions,
    clientOptions: LanguageClientOptions,
    private readonly onFatal: (message: string) => void,
  ) {
    super(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  }

  override error(message: string, data?: unknown, showNotification: boolean | 'force' = true): void {
    super.error(message, data, false);
    if (showNotification === 'force') this.onFatal(message);
  }
}

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private plan: LaunchPlan | undefined;
  private policy = new RestartPolicy();
  private failureShown = false;
  private queue: Promise<void> = Promise.resolve();
  private interpreterWatch: vscode.Disposable | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  /** Fires when `state` changes. */
  readonly onDidChangeState = this.stateEmitter.event;
  state: ServerState = 'stopped';
  detail: string | undefined;

  constructor(
    private readonly output: vscode.LogOutputChannel,
    private readonly readmeUri: vscode.Uri,
  ) {}

  /** Starts the server unless it is running. */
  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  /** Stops the server and starts it again with freshly resolved settings; clears earlier failures. */
  restart(): Promise<void> {
    return this.enqueue(async () => {
      await this.doStop();
      this.policy = new RestartPolicy();
      this.failureShown = false;
      await this.doStart();
    });
  }

  /** Stops the server. */
  stop(): Promise<void> {
    return this.enqueue(() => this.doStop());
  }

  /** Tells the server its settings changed (it may also pull section `wf-lsp` itself). */
  notifySettingsChanged(): void {
    const client = this.client;
    if (client?.state !== State.Running) return;
    const settings = { [SERVER_SECTION]: serverSettings() };
    client.sendNotification(DidChangeConfigurationNotification.type, { settings }).catch((error: unknown) => {
      this.output.warn(`didChangeConfiguration failed: ${String(error)}`);
    });
  }

  /** Runs a server command (`workspace/executeCommand`), waiting for a start in progress; throws when it is not running. */
  async executeCommand(command: string, args: unknown[] = []): Promise<unknown> {
    await this.queue;
    const client = this.client;
    if (client?.state !== State.Running) throw new Error('The wf-lsp server is not running.');
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  dispose(): void {
    void this.stop();
    this.interpreterWatch?.dispose();
    this.stateEmitter.dispose();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step).catch((error: unknown) => this.output.error(String(error)));
    return this.queue;
  }

  private setState(state: ServerState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    this.stateEmitter.fire();
  }

  private async doStart(): Promise<void> {
    if (this.client) return;
    this.setState('starting');
    const folder = workspaceFolderFor()?.uri;
    const probes = nodeProbes({
      workspaceFolder: folder?.fsPath,
      pythonExtensionInterpreter: () => selectedInterpreter(folder, (m) => this.output.info(m)),
    });
    const launch = await resolveServerCommand(launchConfig(), probes);
    for (const attempt of launch.tried) this.output.info(`Not using: ${attempt}`);
    if (!launch.ok) {
      this.fail(`Cannot start the workflow language server: ${launch.reason}.`);
      return;
    }
    this.plan = launch;
    if (launch.source === 'pythonExtension' && this.interpreterWatch === undefined) {
      this.interpreterWatch = onInterpreterChanged(() => {
        if (this.plan?.source === 'pythonExtension') void this.restart();
      });
    }
    this.output.info(`Starting the server (${launch.source}): ${describeLaunch(launch)}`);
    const client = new QuietLanguageClient(this.serverOptions(launch, folder), this.clientOptions(), (m) =>
      this.fail(`The workflow language server failed: ${m}`),
    );
    client.onDidChangeState((event) => this.onClientState(event.newState));
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.output.error(`Start failed: ${String(error)}`);
      if (this.state !== 'error') this.fail(`The workflow language server failed to start (${describeLaunch(launch)}).`);
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client === undefined) return;
    try {
      if (client.state === State.Running) await client.stop(5_000);
      await client.dispose();
    } catch (error) {
      this.output.warn(`Stopping the server: ${String(error)}`);
    }
    if (this.state !== 'error') this.setState('stopped');
  }

  private onClientState(state: State): void {
    if (state === State.Running) {
      this.policy.markRunning();
      this.failureShown = false;
      this.setState('running', this.plan?.source);
    } else if (state === State.Starting) {
      this.setState('starting');
    } else if (this.state !== 'error') {
      this.setState('stopped');
    }
  }

  /** Puts the status in error and shows one message with the ways out; later failures only go to the log. */
  private fail(message: string): void {
    this.output.error(message);
    this.setState('error', message);
    if (this.failureShown) return;
    this.failureShown = true;
    void showFailure(message, this.readmeUri, this.output);
  }

  private serverOptions(plan: LaunchPlan, folder: vscode.Uri | undefined): ServerOptions {
    return serverProcess(plan, folder?.fsPath, process.env);
  }

  private clientOptions(): LanguageClientOptions {
    return {
      documentSelector: DOCUMENT_SELECTOR,
      diagnosticCollectionName: 'wf-lsp',
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      // Each stderr line at its own level (vscode-languageclient logs all of stderr as errors).
      stdioOptions: {
        stdout: (input, channel) => readline.createInterface({ input, crlfDelay: Infinity }).on('line', (line) => channel.info(line)),
        stderr: (input, channel) => readline.createInterface({ input, crlfDelay: Infinity }).on('line', (line) => logLine(channel, line)),
      },
      // Settings are pulled per folder (workspace/configuration) as soon as the server is initialized: none at start-up,
      // so a setting removed later is not kept from then.
      initializationOptions: () => ({}),
      initializationFailedHandler: () => false,
      errorHandler: this.errorHandler(),
      connectionOptions: { maxRestartCount: DEFAULT_RESTART_POLICY.maxRestarts },
      middleware: {
        workspace: {
          configuration: answerConfiguration,
        },
      },
      markdown: { isTrusted: false, supportHtml: false },
    };
  }

  private errorHandler(): ErrorHandler {
    return {
      error: (error, _message, count) => {
        this.output.error(`Connection error: ${error.message}`);
        return (count ?? 0) <= CONNECTION_ERRORS_TOLERATED
          ? { action: ErrorAction.Continue, handled: true }
          : { action: ErrorAction.Shutdown, handled: true };
      },
      closed: () => {
        if (this.policy.shouldRestart(Date.now())) {
          this.output.warn('The server stopped unexpectedly; restarting it.');
          return { action: CloseAction.Restart, handled: true };
        }
        const command = this.plan ? describeLaunch(this.plan) : 'the server';
        this.fail(`The workflow language server stopped and will not be restarted (${command}). See the output for its error.`);
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    };
  }
}
