/** The status bar's text and tooltip for a server state and the active file's counts (pure). */

export type ServerState = 'starting' | 'running' | 'stopped' | 'error';

export interface ProblemCounts {
  errors: number;
  warnings: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** Whether the item wants the error background. */
  alarm: boolean;
}

const ICONS: Record<ServerState, string> = {
  starting: '$(sync~spin)',
  running: '$(json)',
  stopped: '$(debug-stop)',
  error: '$(error)',
};

/** Text like `$(json) wf-lsp n8n $(error) 2 $(warning) 1`; counts (and the file's dialect) only while running and for a validated file. */
export function statusView(state: ServerState, counts: ProblemCounts | undefined, detail?: string, dialect?: string): StatusView {
  let text = `${ICONS[state]} wf-lsp`;
  const tooltip = [`Workflow language server: ${state}${detail ? ` (${detail})` : ''}`];
  if (state === 'running' && counts !== undefined) {
    if (dialect) text += ` ${dialect}`;
    text += ` $(error) ${counts.errors} $(warning) ${counts.warnings}`;
    tooltip.push(`Active file: ${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}`);
    if (dialect) tooltip.push(`Dialect: ${dialect}`);
  }
  tooltip.push('Click to show the output');
  return { text, tooltip: tooltip.join('\n'), alarm: state === 'error' };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
