// Parse Mermaid diagrams with the real mermaid parser (mermaid.parse under jsdom).
// Usage: node tests/mermaid_parse.mjs MODULES_DIR FILE...; prints one JSON line per file: {"file", "ok", "error"}.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [modules, ...files] = process.argv.slice(2);
const require = createRequire(modules + "/");
const { JSDOM: Dom } = await import(pathToFileURL(require.resolve("jsdom")).href);
const dom = new Dom("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const key of ["Element", "HTMLElement", "Node", "DOMParser", "navigator", "getComputedStyle", "MutationObserver"]) {
  if (!(key in globalThis)) globalThis[key] = dom.window[key];
}
const mermaid = (await import(pathToFileURL(require.resolve("mermaid")).href)).default;
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", maxTextSize: 1_000_000, maxEdges: 100_000 });
for (const file of files) {
  const text = readFileSync(file, "utf8");
  try {
    const res = await mermaid.parse(text);
    console.log(JSON.stringify({ file, ok: Boolean(res), type: res && res.diagramType }));
  } catch (err) {
    console.log(JSON.stringify({ file, ok: false, error: String(err && err.message ? err.message : err).slice(0, 500) }));
  }
}
