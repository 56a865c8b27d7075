/** The graph webview's HTML and its Content-Security-Policy (no `vscode` import, so tests can run it). */

/** The Content-Security-Policy of the view: nothing but its own script (by nonce) and stylesheet. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`, `img-src ${cspSource}`, `font-src ${cspSource}`].join('; ');
}

/** The view's HTML: a status line, the drawing and the problem list. */
export function graphHtml(cspSource: string, nonce: string, scriptUri: string, styleUri: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>Workflow graph</title>
</head>
<body>
<div id="status">Loading the graph…</div>
<div id="graph"></div>
<ul id="problems" aria-label="Problem nodes"></ul>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
