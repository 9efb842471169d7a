// The thin line between two groups of query heads that share a key/value head (see
// src/shared/headGroups.ts), in the panel's heads grid and model grid and in notebook outputs.

export function groupSeparator(): HTMLElement {
  const line = document.createElement('div');
  line.className = 'attn-kv-sep';
  line.setAttribute('role', 'separator');
  line.setAttribute('aria-orientation', 'vertical');
  return line;
}
