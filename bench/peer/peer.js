#!/usr/bin/env node
// Peer benchmark: what a VS Code user gets without wf-lsp. Times parseJSONDocument + doValidation
// (vscode-json-languageservice, schema associated to the document by fileMatch).
//   node peer.js --schema S.json [--repeat N] [--min-ms M] [--max-runs K] DOC.json...
//       batch mode: prints {file: {median_ms, parse_ms, validate_ms, runs, diagnostics}} as JSON.
//   node peer.js --schema S.json --serve
//       one line of JSON per request on stdin, {"file": PATH}, answered with one timed run:
//       {"ms", "parse_ms", "validate_ms", "diagnostics"}; the first request for a file warms it up.
//       bench.py uses this to interleave the peer with our engine and orjson, run by run.
'use strict';
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { getLanguageService, TextDocument } = require('vscode-json-languageservice');

function parseArgs(argv) {
  const a = { schema: null, repeat: 15, minMs: 300, maxRuns: 2000, serve: false, docs: [] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--schema') a.schema = argv[++i];
    else if (v === '--repeat') a.repeat = parseInt(argv[++i], 10);
    else if (v === '--min-ms') a.minMs = parseFloat(argv[++i]);
    else if (v === '--max-runs') a.maxRuns = parseInt(argv[++i], 10);
    else if (v === '--serve') a.serve = true;
    else a.docs.push(v);
  }
  return a;
}

function median(xs) {
  const s = xs.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

function makeService(schemaPath) {
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const ls = getLanguageService({});
  ls.configure({
    validate: true,
    allowComments: false,
    schemas: [{ uri: 'wf-lsp://schema/workflow.schema.json', fileMatch: ['*.json'], schema }],
  });
  return ls;
}

let seq = 0;
function runner(ls, file) {
  const text = fs.readFileSync(file, 'utf8');
  const uri = 'file:///bench/' + path.basename(file);
  return async () => {
    // A new version each run: nothing may be reused but the compiled schema, as in the editor.
    const doc = TextDocument.create(uri, 'json', ++seq, text);
    const t0 = now();
    const jsonDoc = ls.parseJSONDocument(doc);
    const t1 = now();
    const diags = await ls.doValidation(doc, jsonDoc);
    const t2 = now();
    return [t1 - t0, t2 - t1, t2 - t0, diags.length];
  };
}

async function warmUp(one) {
  // Schema resolution and JIT: at least 3 runs, up to ~200 ms.
  const w0 = now();
  for (let i = 0; i < 3 || (now() - w0 < 200 && i < 500); i++) await one();
}

async function batch(args, ls) {
  const out = {};
  for (const file of args.docs) {
    const one = runner(ls, file);
    await warmUp(one);
    const parse = [], validate = [], total = [];
    let diagnostics = 0;
    const start = now();
    while (total.length < args.repeat || (now() - start < args.minMs && total.length < args.maxRuns)) {
      const [p, v, t, d] = await one();
      parse.push(p); validate.push(v); total.push(t); diagnostics = d;
    }
    out[file] = {
      median_ms: median(total), parse_ms: median(parse), validate_ms: median(validate),
      runs: total.length, diagnostics,
    };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

async function serve(ls) {
  const runners = new Map();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    let reply;
    try {
      const { file } = JSON.parse(line);
      let one = runners.get(file);
      if (!one) {
        one = runner(ls, file);
        await warmUp(one);
        runners.set(file, one);
      }
      const [p, v, t, d] = await one();
      reply = { ms: t, parse_ms: p, validate_ms: v, diagnostics: d };
    } catch (e) {
      reply = { error: String(e && e.message || e) };
    }
    process.stdout.write(JSON.stringify(reply) + '\n');
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.schema) throw new Error('--schema is required');
  const ls = makeService(args.schema);
  if (args.serve) await serve(ls);
  else await batch(args, ls);
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
