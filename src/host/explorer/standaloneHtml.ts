// A standalone copy of the explorer: one HTML file with the webview's own script and style
// inlined and the weights embedded as base64, which opens offline in any browser and behaves like
// the panel. A small stand-in for the VS Code webview API answers the page's messages.
// No vscode import: built from strings, checked without an editor.
import type { RenderSettings, SequencePayload, WebviewStrings } from '../../shared/protocol';

export interface StandaloneInput {
  title: string;
  lang: string;
  sequences: SequencePayload[];
  settings: RenderSettings;
  elapsedMs: number;
  strings: WebviewStrings;
  /** The view state as the panel had it (JSON), so the file opens on the same view. */
  viewState: string;
  theme: { variables: string; bodyClass: string };
  script: string;
  css: string;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function bytesOf(a: Float32Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Text that cannot end the element it sits in. */
function inScript(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function inStyle(s: string): string {
  return s.replace(/<\/(style)/gi, '<\\/$1');
}

function escapeHtml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Runs before the webview script: stands in for acquireVsCodeApi and replays what the host sent.
const SHIM = `(function () {
  var data = JSON.parse(document.getElementById('attention-data').textContent);
  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  var sequences = data.sequences.map(function (q) {
    return Object.assign({}, q, {
      offsets: new Int32Array(bytes(q.offsets).buffer),
      special: bytes(q.special),
      weights: new Float32Array(bytes(q.weights).buffer)
    });
  });
  var state = { view: data.viewState };
  function send(message) {
    setTimeout(function () { window.dispatchEvent(new MessageEvent('message', { data: message })); }, 0);
  }
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (m) {
        if (m.type === 'ready') {
          send({ type: 'init', strings: data.strings });
          send({ type: 'show', requestId: 1, sequences: sequences, settings: data.settings, elapsedMs: data.elapsedMs });
        } else if (m.type === 'requestSteps') {
          send({ type: 'steps', requestId: m.requestId, error: data.strings.stepsUnavailable });
        }
      },
      getState: function () { return state; },
      setState: function (s) { state = s; }
    };
  };
})();`;

export function standaloneHtml(input: StandaloneInput): string {
  const data = {
    strings: input.strings,
    settings: input.settings,
    elapsedMs: input.elapsedMs,
    viewState: JSON.parse(input.viewState) as unknown,
    sequences: input.sequences.map((s) => ({
      label: s.label,
      tokens: s.tokens,
      layers: s.layers,
      heads: s.heads,
      kvHeads: s.kvHeads,
      n: s.n,
      // Recomputing a head needs the extension; the copy shows the views of the weights it carries.
      steps: false,
      offsets: base64(bytesOf(s.offsets)),
      special: base64(bytesOf(s.special)),
      weights: base64(bytesOf(s.weights)),
    })),
  };
  return `<!DOCTYPE html>
<html lang="${escapeHtml(input.lang)}">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="generator" content="Attention Explorer">
<title>${escapeHtml(input.title)}</title>
<style>
:root { ${inStyle(input.theme.variables)} }
${inStyle(input.css)}
</style>
</head>
<body class="${escapeHtml(input.theme.bodyClass)}">
<main id="app"></main>
<div id="tooltip" role="status" hidden></div>
<script type="application/json" id="attention-data">${inScript(JSON.stringify(data))}</script>
<script>${SHIM}</script>
<script>${inScript(input.script)}</script>
</body>
</html>
`;
}
