// Regenerates schemas/workflow.schema.json from `python -m wf_lsp schema` (Python: $WF_LSP_PYTHON or ../.venv).
// The file is only replaced when the command succeeds and prints JSON.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const python = process.env.WF_LSP_PYTHON || path.join(root, '..', '.venv', 'bin', 'python');
const target = path.join(root, 'schemas', 'workflow.schema.json');

const text = execFileSync(python, ['-m', 'wf_lsp', 'schema'], { encoding: 'utf8', cwd: path.join(root, '..') });
JSON.parse(text);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(target, text);
console.log(`wrote ${path.relative(process.cwd(), target)} (${text.length} bytes)`);
