// Creates the test workspace: real corpus files at their origin paths, plus one file with a planted
// duplicate node name. Usage: node make-workspace.mjs <corpus dir> <workspace dir>
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CORPUS_FILES, PLANTED } from './workspace-spec.mjs';

const [corpus, workspace] = process.argv.slice(2);
if (!corpus || !workspace) {
  console.error('usage: make-workspace.mjs <corpus dir> <workspace dir>');
  process.exit(2);
}

for (const [name, origin] of Object.entries(CORPUS_FILES)) {
  const target = join(workspace, origin);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(join(corpus, name), target);
}

// The planted file: a corpus workflow where a node was copy-pasted and its name left unchanged.
const source = readFileSync(join(corpus, PLANTED.from), 'utf8');
const workflow = JSON.parse(source);
const original = workflow.nodes.find((n) => n.name === PLANTED.duplicateOf);
if (!original) throw new Error(`${PLANTED.from} has no node named ${PLANTED.duplicateOf}`);
const copy = { ...structuredClone(original), id: PLANTED.copyId, position: PLANTED.copyPosition };
workflow.nodes.push(copy);
const target = join(workspace, PLANTED.path);
mkdirSync(dirname(target), { recursive: true });
// The corpus files are 2-space-indented JSON (JSON.stringify style); keep that style.
writeFileSync(target, JSON.stringify(workflow, null, 2) + '\n');
console.error(`workspace ${workspace}: ${Object.keys(CORPUS_FILES).length} corpus files + ${PLANTED.path}`);
