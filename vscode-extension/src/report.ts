/** Renders the server's command results (tenant diagnostics, execution plan, workspace validation) as Markdown/text. */

export interface TenantSummary {
  tenantId: string | null;
  /** A `${TENANT_ID}`-style value that deployment fills in: not a tenant. */
  placeholder?: boolean;
  files: unknown;
  counts: unknown;
  errorsByCode: unknown;
  warningsByCode: unknown;
  worstFiles: unknown;
}

export interface TenantDiagnostics {
  tenants: TenantSummary[];
  cache?: unknown;
  /** Why nothing was reported: an unknown tenant, or a file that is not a workflow. */
  problem?: string;
}

const NO_TENANT = '(no tenant)';

/** The `wf.showTenantDiagnostics` result, or undefined when the value does not have its shape. */
export function parseTenantDiagnostics(value: unknown): TenantDiagnostics | undefined {
  if (!isRecord(value) || !Array.isArray(value.tenants)) return undefined;
  const tenants = value.tenants.filter(isRecord).map(
    (t): TenantSummary => ({
      tenantId: typeof t.tenantId === 'string' && t.tenantId !== '' ? t.tenantId : null,
      placeholder: t.placeholder === true,
      files: t.files,
      counts: t.counts,
      errorsByCode: t.errorsByCode,
      warningsByCode: t.warningsByCode,
      worstFiles: t.worstFiles,
    }),
  );
  return typeof value.problem === 'string' ? { tenants, cache: value.cache, problem: value.problem } : { tenants, cache: value.cache };
}

/** The label a tenant is shown (and picked) under. */
export function tenantLabel(tenant: TenantSummary): string {
  return tenant.tenantId ?? NO_TENANT;
}

/** A tenant group's heading: a tenant, or a placeholder that deployment fills in (not a tenant). */
export function tenantHeading(tenant: TenantSummary): string {
  return tenant.placeholder === true && tenant.tenantId !== null
    ? `Unresolved placeholder ${tenant.tenantId} (filled in at deployment)`
    : `Tenant: ${tenantLabel(tenant)}`;
}

/** How files appear in the report: a label (e.g. workspace-relative path) and a link target (e.g. relative to the report). */
export interface FileLinks {
  label?(file: string, uri: string | undefined): string;
  target?(uri: string): string | undefined;
}

export interface TenantReportOptions {
  generatedAt?: Date;
  files?: FileLinks;
}

/** The Markdown report for every tenant in the result (normally one after the user picked it). */
export function renderTenantReport(data: TenantDiagnostics, options: TenantReportOptions = {}): string {
  const lines: string[] = ['# Workflow diagnostics by tenant', ''];
  if (options.generatedAt) lines.push(`Generated ${options.generatedAt.toISOString()}.`, '');
  if (data.problem !== undefined) lines.push(`**${cell(data.problem)}**`, '');
  else if (data.tenants.length === 0) lines.push('No workflow files were found in the workspace.', '');
  for (const tenant of data.tenants) lines.push(...renderTenant(tenant, options.files ?? {}));
  const cache = flatten(data.cache);
  if (cache.length > 0) {
    lines.push('## Validation cache', '', '| Statistic | Value |', '| --- | --- |');
    for (const [key, value] of cache) lines.push(`| ${cell(key)} | ${cell(formatValue(value))} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Singular nouns for the server's count keys. */
const COUNT_NOUNS: Record<string, string> = {
  nodes: 'node',
  connections: 'connection',
  triggers: 'trigger',
  variables: 'variable',
  errors: 'error',
  warnings: 'warning',
  invalidFiles: 'invalid file',
};

function renderTenant(tenant: TenantSummary, links: FileLinks): string[] {
  const lines = [`## ${cell(tenantHeading(tenant))}`, ''];
  const files = fileCount(tenant.files);
  const summary: string[] = [];
  if (files !== undefined) summary.push(countOf(files, 'file'));
  for (const [key, value] of numbers(tenant.counts)) summary.push(countOf(value, COUNT_NOUNS[key] ?? key));
  if (summary.length > 0) lines.push(summary.join(', ') + '.', '');
  lines.push(...codeTable('Errors by rule', tenant.errorsByCode), ...codeTable('Warnings by rule', tenant.warningsByCode));
  const worst = worstFiles(tenant.worstFiles);
  if (worst.length > 0) {
    lines.push('### Files with the most problems', '', '| File | Errors | Warnings |', '| --- | ---: | ---: |');
    for (const f of worst) lines.push(`| ${fileLink(f, links)} | ${f.errors ?? ''} | ${f.warnings ?? ''} |`);
    lines.push('');
  }
  return lines;
}

/** `3 nodes`, `1 invalid file`; nouns not known are shown as `key: n`. */
function countOf(n: number, noun: string): string {
  if (!/^[a-z ]+$/.test(noun)) return `${noun}: ${n}`;
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function codeTable(title: string, value: unknown): string[] {
  const rows = byCode(value);
  if (rows.length === 0) return [];
  const lines = [`### ${title}`, '', '| Rule | Count |', '| --- | ---: |'];
  for (const [code, n] of rows) lines.push(`| \`${code.replace(/`/g, '')}\` | ${n} |`);
  lines.push('');
  return lines;
}

/** `{CODE: n}` or `[{code, count}]` as rows, most frequent first. */
export function byCode(value: unknown): [string, number][] {
  const rows: [string, number][] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isRecord(item) && typeof item.code === 'string' && typeof item.count === 'number') rows.push([item.code, item.count]);
    }
  } else {
    rows.push(...numbers(value));
  }
  return rows.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

interface FileRow {
  file: string;
  uri?: string;
  errors?: number;
  warnings?: number;
}

function worstFiles(value: unknown): FileRow[] {
  if (!Array.isArray(value)) return [];
  const rows: FileRow[] = [];
  for (const item of value) {
    if (typeof item === 'string') rows.push(isUri(item) ? { file: item, uri: item } : { file: item });
    else if (isRecord(item)) {
      const file = [item.path, item.file, item.uri].find((v): v is string => typeof v === 'string' && v !== '');
      if (file === undefined) continue;
      const uri = typeof item.uri === 'string' && isUri(item.uri) ? item.uri : isUri(file) ? file : undefined;
      const counts = isRecord(item.counts) ? item.counts : item;
      rows.push({ file, uri, errors: firstNumber(counts, ['errors', 'errorCount']), warnings: firstNumber(counts, ['warnings', 'warningCount']) });
    }
  }
  return rows;
}

/**
 * The file's label (its base name by default), linked when `links.target` gives a target. Markdown previews refuse
 * `file:` links, so the default is no link.
 */
function fileLink(row: FileRow, links: FileLinks): string {
  const plain = isUri(row.file) ? decodeURIComponent(row.file.replace(/[?#].*$/, '')) : row.file;
  const label = links.label?.(row.file, row.uri) ?? (plain.split(/[\\/]/).pop() || plain);
  const target = row.uri !== undefined ? links.target?.(row.uri) : undefined;
  if (target === undefined) return cell(label);
  const escaped = target.replace(/[()\s<>]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${cell(label)}](${escaped})`;
}

function isUri(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

function fileCount(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.length;
  return isRecord(value) ? firstNumber(value, ['total', 'count', 'files']) : undefined;
}

/** The Markdown for a `wf.executionPlan` result: its levels, or the problems that prevent a plan. */
export function renderExecutionPlan(value: unknown, documentName: string): string {
  const lines = [`# Execution plan: ${cell(documentName)}`, ''];
  const levels = isRecord(value) && Array.isArray(value.levels) ? value.levels : undefined;
  if (levels !== undefined) {
    if (levels.length === 0) return [...lines, 'The workflow has no nodes.', ''].join('\n');
    lines.push('Nodes in the same step do not depend on each other and may run in parallel.', '');
    lines.push('| Step | Nodes |', '| ---: | --- |');
    levels.forEach((level, i) => {
      const names = (Array.isArray(level) ? level : [level]).map(nodeName);
      lines.push(`| ${i + 1} | ${names.map(cell).join(', ')} |`);
    });
    lines.push('');
    const extras: [string, unknown][] = isRecord(value)
      ? [['Never reached from a trigger', value.unreachable], ['Part of a cycle (not scheduled)', value.cyclic]]
      : [];
    for (const [title, nodes] of extras) {
      if (Array.isArray(nodes) && nodes.length > 0) lines.push(`**${title}:** ${nodes.map(nodeName).map(cell).join(', ')}`, '');
    }
    return lines.join('\n');
  }
  const errors = isRecord(value) && Array.isArray(value.errors) ? value.errors : Array.isArray(value) ? value : [value];
  lines.push('No plan: the workflow has problems that prevent one.', '');
  for (const error of errors) lines.push(`- ${problemText(error)}`);
  return [...lines, ''].join('\n');
}

/** One line for the `wf.validateWorkspace` result. */
export function summarizeValidation(value: unknown): string {
  if (!isRecord(value)) return 'Workspace validated.';
  const counts = isRecord(value.counts) ? value.counts : value;
  const files = fileCount(value.files) ?? firstNumber(value, ['fileCount', 'validated', 'workflows']);
  const errors = firstNumber(counts, ['errors', 'errorCount']);
  const warnings = firstNumber(counts, ['warnings', 'warningCount']);
  const parts: string[] = [];
  if (errors !== undefined) parts.push(`${errors} ${errors === 1 ? 'error' : 'errors'}`);
  if (warnings !== undefined) parts.push(`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`);
  const head = files !== undefined ? `Validated ${files} workflow ${files === 1 ? 'file' : 'files'}` : 'Workspace validated';
  const tail = value.cancelled === true ? ' (cancelled before the end)' : '';
  return parts.length > 0 ? `${head}: ${parts.join(', ')}${tail}.` : `${head}${tail}.`;
}

/** One line for the `wf.clearCache` result. */
export function summarizeCacheClear(value: unknown): string {
  const cleared = isRecord(value) ? firstNumber(value, ['cleared']) : undefined;
  if (cleared === undefined) return 'Workflow validation cache cleared.';
  return `Workflow validation cache cleared (${cleared} ${cleared === 1 ? 'entry' : 'entries'}).`;
}

function nodeName(node: unknown): string {
  if (typeof node === 'string') return node;
  if (isRecord(node)) {
    const label = [node.name, node.id].find((v): v is string => typeof v === 'string');
    return label ?? JSON.stringify(node);
  }
  return JSON.stringify(node) ?? 'undefined';
}

function problemText(problem: unknown): string {
  if (typeof problem === 'string') return cell(problem);
  if (isRecord(problem)) {
    const message = typeof problem.message === 'string' ? problem.message : JSON.stringify(problem);
    const where = typeof problem.line === 'number' ? ` (line ${problem.line})` : '';
    return (typeof problem.code === 'string' ? `\`${problem.code}\` ` : '') + cell(message) + where;
  }
  return cell(JSON.stringify(problem) ?? 'unknown problem');
}

function numbers(value: unknown): [string, number][] {
  if (!isRecord(value)) return [];
  return Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number');
}

function firstNumber(record: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const v = record[key];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** Scalars of a nested object as dotted keys (`shared.hits`). */
function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (!isRecord(value)) return [];
  const out: [string, unknown][] = [];
  for (const [key, v] of Object.entries(value)) {
    if (isRecord(v)) out.push(...flatten(v, `${prefix}${key}.`));
    else if (!Array.isArray(v)) out.push([prefix + key, v]);
  }
  return out;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(3);
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Text made safe for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
