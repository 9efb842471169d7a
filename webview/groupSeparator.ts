// The thin line between two groups of query heads that share a key/value head (see
// src/shared/headGroups.ts), in the panel's heads grid and model grid and in notebook outputs.
// Heatmaps wrap onto several rows: there the line runs across, and each group starts a row of
// its own, so a group never ends beside the next one. A row of thumbnails holds every head of
// a layer: there the line stands between two of them.

export function groupSeparator(orientation: 'horizontal' | 'vertical'): HTMLElement {
  const line = document.createElement('div');
  line.className = 'attn-kv-sep';
  line.setAttribute('role', 'separator');
  line.setAttribute('aria-orientation', orientation);
  return line;
}
