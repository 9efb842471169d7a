// Styles of the attention output, scoped to .attn-output because every output of the notebook
// shares one document. Colours only from --vscode-* variables; the data colour map is separate.
export const RENDERER_CSS = `
.attn-output { color: var(--vscode-foreground); font-family: var(--vscode-font-family); padding: 4px 0; }
.attn-output .attn-heads { display: flex; flex-wrap: wrap; gap: 16px; }
.attn-output .heatmap { margin: 0; }
.attn-output .heatmap figcaption { color: var(--vscode-descriptionForeground); margin-bottom: 4px; }
.attn-output .heatmap-stack { position: relative; }
.attn-output .heatmap-canvas { display: block; }
.attn-output .heatmap-overlay { position: absolute; left: 0; top: 0; cursor: crosshair; }
.attn-output .heatmap-overlay:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.attn-output .attn-status { min-height: 1.5em; margin-top: 4px; font-family: var(--vscode-editor-font-family); color: var(--vscode-foreground); }
.attn-output .attn-title { font-weight: 600; margin: 0 0 6px; }
.attn-output .attn-toolbar { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0 0 8px; }
.attn-output .attn-toolbar select { margin-left: 4px; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border); font: inherit; }
.attn-output .attn-toolbar select:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.attn-output .attn-kv-sep { background: var(--vscode-editorWidget-border, var(--vscode-descriptionForeground)); }
.attn-output .attn-kv-sep[aria-orientation='horizontal'] { flex: 0 0 100%; height: 2px; margin: -5px 0; }
.attn-output .attn-kv-sep[aria-orientation='vertical'] { width: 2px; align-self: stretch; }
.attn-output .attn-model-row { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 8px; margin-bottom: 8px; }
.attn-output .attn-model-row .attn-kv-sep { margin: 0 -3px; }
.attn-output .attn-model-layer { width: 72px; flex: none; color: var(--vscode-descriptionForeground); }
.attn-output .attn-thumb { display: flex; flex-direction: column; align-items: center; gap: 2px; padding: 2px; border: 1px solid transparent; background: none; color: var(--vscode-descriptionForeground); font: inherit; cursor: pointer; }
.attn-output .attn-thumb:hover { border-color: var(--vscode-focusBorder); }
.attn-output .attn-thumb:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.attn-output .thumb-canvas { display: block; }
.attn-output .attn-note { color: var(--vscode-descriptionForeground); margin: 0 0 8px; }
.attn-output .attn-generated { margin: 0 0 8px; line-height: 1.8; }
.attn-output .attn-generated .attn-token { margin-right: 2px; padding: 0 1px; }
.attn-output .attn-generated mark.attn-token { color: var(--vscode-textLink-foreground); background: transparent; border-bottom: 2px solid var(--vscode-textLink-foreground); }
.attn-error { color: var(--vscode-errorForeground); }
`;
