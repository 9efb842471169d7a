// The buttons above the zoomable heatmap: real <button>s named by aria-label (the caller's
// localized strings), and the shown window in words. A button at its limit says so with
// aria-disabled rather than disabled, so keyboard focus is not thrown off it.

export interface ZoomToolbar {
  element: HTMLElement;
  zoomIn: HTMLButtonElement;
  zoomOut: HTMLButtonElement;
  fit: HTMLButtonElement;
  status: HTMLElement;
}

export function zoomToolbar(
  labels: { zoomIn: string; zoomOut: string; fit: string },
  actions: { zoomIn: () => void; zoomOut: () => void; fit: () => void },
): ZoomToolbar {
  const element = document.createElement('div');
  element.className = 'zoom-toolbar';
  const zoomOut = button('−', labels.zoomOut, actions.zoomOut);
  const zoomIn = button('+', labels.zoomIn, actions.zoomIn);
  const fit = button(fitIcon(), labels.fit, actions.fit);
  const status = document.createElement('span');
  status.className = 'zoom-status';
  element.append(zoomOut, zoomIn, fit, status);
  return { element, zoomIn, zoomOut, fit, status };
}

export function setEnabled(b: HTMLButtonElement, enabled: boolean): void {
  b.setAttribute('aria-disabled', String(!enabled));
}

function button(content: string | Element, label: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'zoom-button';
  b.append(content);
  b.setAttribute('aria-label', label);
  b.title = label;
  b.addEventListener('click', () => {
    if (b.getAttribute('aria-disabled') !== 'true') onClick();
  });
  return b;
}

/** Four corners of a frame, drawn in the button's text colour: "the whole thing". */
function fitIcon(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', 'M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4');
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.5');
  svg.append(path);
  return svg;
}
