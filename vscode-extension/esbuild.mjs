// Bundles src/extension.ts and its dependencies into dist/extension.js (CommonJS, Node, `vscode` external),
// and the graph webview's script into dist/webview/graph.js (browser).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  outfile: 'dist/extension.js',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  legalComments: production ? 'external' : 'inline',
  logLevel: 'info',
};

// The graph webview: a browser bundle (dagre inside) and its stylesheet, loaded under a strict CSP.
const webview = {
  ...options,
  entryPoints: ['src/webview/graph.ts'],
  outfile: 'dist/webview/graph.js',
  format: 'iife',
  platform: 'browser',
  target: 'chrome120',
  external: [],
};

function copyStyles() {
  fs.mkdirSync('dist/webview', { recursive: true });
  fs.copyFileSync('src/webview/graph.css', 'dist/webview/graph.css');
}

if (watch) {
  copyStyles();
  await (await esbuild.context(options)).watch();
  await (await esbuild.context(webview)).watch();
} else {
  fs.rmSync('dist', { recursive: true, force: true });
  await esbuild.build(options);
  await esbuild.build(webview);
  copyStyles();
}
