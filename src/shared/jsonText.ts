// JSON text written with an explicit stack instead of recursion, so that how deep a value is
// nested is never a question of how deep the call stack may go: a file that nests metadata ten
// thousand levels deep opens and saves like any other. (JSON.stringify recurses and throws
// RangeError long before that; JSON.parse in V8 does not.) Pure: no vscode, DOM or Node imports.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A container being written: its members, the next one to write, and its own indent. */
interface Frame {
  members: [string | undefined, Json][];
  next: number;
  indent: string;
  close: string;
  /** Written with white space; false for compact text and for containers nested too deep. */
  pretty: boolean;
}

export interface JsonLayout {
  /** Two-space indents and one member per line; otherwise no white space at all. */
  pretty: boolean;
  /** Pretty only: a list of plain values that fits in this many columns stays on one line. */
  inlineWidth?: number;
  /**
   * Pretty only: containers nested deeper than this are written compactly, on one line, so that
   * the text grows with the value's size and not with its depth times its size (every line of
   * a pretty value ten thousand deep would carry thousands of spaces).
   */
  prettyDepth?: number;
}

/**
 * The text of `value`. Compact, it is what JSON.stringify writes for the same value (members
 * whose value is undefined are left out, as JSON.stringify does); pretty, it is JSON.stringify
 * with two-space indents, except that short lists of plain values stay on one line.
 */
export function writeJson(value: Json, layout: JsonLayout): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const width = layout.inlineWidth ?? 0;
  const prettyDepth = layout.prettyDepth ?? Infinity;
  const open = (v: Json, indent: string, outerPretty: boolean): void => {
    const pretty = outerPretty && stack.length < prettyDepth;
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return void out.push('[]');
      if (pretty && width > 0 && v.every((x) => x === null || typeof x !== 'object')) {
        const line = `[${v.map((x) => JSON.stringify(x) ?? 'null').join(', ')}]`;
        if (line.length + indent.length <= width) return void out.push(line);
      }
      out.push('[');
      stack.push({ members: v.map((x) => [undefined, x]), next: 0, indent, close: ']', pretty });
      return;
    }
    const members = Object.entries(v).filter(([, x]) => x !== undefined);
    if (members.length === 0) return void out.push('{}');
    out.push('{');
    stack.push({ members, next: 0, indent, close: '}', pretty });
  };
  open(value, '', layout.pretty);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next === frame.members.length) {
      out.push(frame.pretty ? `\n${frame.indent}${frame.close}` : frame.close);
      stack.pop();
      continue;
    }
    const [key, v] = frame.members[frame.next];
    const inner = frame.pretty ? `${frame.indent}  ` : '';
    if (frame.next > 0) out.push(',');
    if (frame.pretty) out.push(`\n${inner}`);
    if (key !== undefined) out.push(frame.pretty ? `${JSON.stringify(key)}: ` : `${JSON.stringify(key)}:`);
    frame.next++;
    open(v, inner, frame.pretty);
  }
  return out.join('');
}
