// Reads the workbench theme from the --vscode-* variables VS Code sets on the webview's body.

export interface ThemeColours {
  foreground: string;
  muted: string;
  background: string;
  focus: string;
  fontFamily: string;
  fontSize: number;
}

export function readTheme(): ThemeColours {
  const s = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return {
    foreground: v('--vscode-editor-foreground', v('--vscode-foreground', '#333')),
    muted: v('--vscode-descriptionForeground', '#888'),
    background: v('--vscode-editor-background', '#fff'),
    focus: v('--vscode-focusBorder', '#0078d4'),
    fontFamily: v('--vscode-editor-font-family', v('--vscode-font-family', 'sans-serif')),
    fontSize: parseFloat(v('--vscode-editor-font-size', '13')) || 13,
  };
}

/** Calls back when the theme changes (VS Code swaps body classes and variables). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
}
