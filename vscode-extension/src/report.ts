/** Reads the server's command results: the tenant list (the server renders its report), the execution plan as Markdown, summaries. */

export interface TenantSummary {
  tenantId: string | null;
  /** A `${TENANT_ID}`-style value that deployment fills in: not a tenant. */
  placeholder?: boolean;
}

/** What the extension reads of a `wf.showTenantDiagnostics` result; the server renders the report itself. */
export interface TenantDiagnostics {
  tenants: TenantSummary[];
  /** Why nothing was reported: an unknown tenant, or a file that is not a workflow. */
  problem?: string;
  /** The Markdown report the server wrote (asked for with `{ show: false }`), to be opened by the extension. */
  document?: string;
}

const NO_TENANT = '(no tenant)';

/** The `wf.showTenantDiagnostics` result, or undefined when the value does not have its shape. */
export function parseTenantDiagnostics(value: unknown): TenantDiagnostics | undefined {
  if (!isRecord(value) || !Array.isArray(value.tenants)) return undefined;
  const tenants = value.tenants.filter(isRecord).map(
    (t): TenantSummary => ({
      tenantId: typeof t.tenantId === 'string' && t.tenantId !== '' ? t.tenantId : null,
      placeholder: t.placeholder === true,
    }),
  );
  const out: TenantDiagnostics = { tenants };
  if (typeof value.problem === 'string') out.problem = value.problem;
  if (typeof value.document === 'string' && value.document !== '') out.document = value.document;
  return out;
}

/** The label a tenant is shown (and picked) under; the server takes it back as the tenant to report. */
export function tenantLabel(tenant: TenantSummary): string {
  return tenant.tenantId ?? NO_TENANT;
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

function firstNumber(record: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const v = record[key];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** Text made safe for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/</g, '&lt;');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
