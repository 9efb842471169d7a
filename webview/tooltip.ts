// The one tooltip of the page: text near the pointer (or the focused cell), announced politely.
const tooltip = (): HTMLElement => document.getElementById('tooltip') as HTMLElement;

export function showTooltip(text: string, anchor: { x: number; y: number }): void {
  const t = tooltip();
  t.textContent = text;
  t.hidden = false;
  const margin = 12;
  const x = Math.min(anchor.x + margin, window.innerWidth - t.offsetWidth - margin);
  const y = Math.min(anchor.y + margin, window.innerHeight - t.offsetHeight - margin);
  t.style.left = `${Math.max(0, x)}px`;
  t.style.top = `${Math.max(0, y)}px`;
}

export function hideTooltip(): void {
  tooltip().hidden = true;
}

/** "{0} of {1}" with arguments, as vscode.l10n writes placeholders. */
export function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => String(args[Number(i)] ?? m));
}
