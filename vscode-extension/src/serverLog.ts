/** The level of each line the server writes to stderr, so routine messages are not shown as errors (pure: no `vscode`). */

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Messages that are routine in a healthy session, whatever level the library that wrote them gave them. */
const ROUTINE: readonly [RegExp, LogLevel][] = [
  // a client cancels a request the server has already answered: every editor does this all day
  [/Cancel notification for unknown message id/, 'debug'],
  [/Ignoring notification for unknown method/, 'info'],
];

/** Python logging's level names, as `wf-lsp serve` and pygls write them (`... WARNING: message`). */
const WORDS: readonly [RegExp, LogLevel][] = [
  [/\b(CRITICAL|ERROR)\b/, 'error'],
  [/\bWARNING\b/, 'warn'],
  [/\bINFO\b/, 'info'],
  [/\bDEBUG\b/, 'debug'],
];

/** The level of one stderr line: routine messages by their text, others by their level word; anything else (a
 * traceback, a crash) stays an error. */
export function levelOf(line: string): LogLevel {
  for (const [pattern, level] of ROUTINE) if (pattern.test(line)) return level;
  for (const [pattern, level] of WORDS) if (pattern.test(line)) return level;
  return 'error';
}

/** Anything with the methods of a `vscode.LogOutputChannel` that take a line. */
export interface LevelledLog {
  error(line: string): void;
  warn(line: string): void;
  info(line: string): void;
  debug(line: string): void;
}

/** Writes a stderr line to the log at its own level. */
export function logLine(log: LevelledLog, line: string): void {
  log[levelOf(line)](line);
}
