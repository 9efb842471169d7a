// Where JSON text first goes wrong, as a line and column and a plain reason. JSON.parse says
// only that the text is invalid, and not always where; a person fixing a hand-edited file needs
// both. Called only after JSON.parse has failed, so speed does not matter; depth does: nothing
// here recurses, so a file nested ten thousand deep gets its answer too.

export interface JsonSyntaxProblem {
  line: number; // 1-based
  column: number; // 1-based, in UTF-16 code units
  reason: string;
}

class Stop {
  constructor(
    readonly pos: number,
    readonly reason: string,
  ) {}
}

export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && ' \t\n\r'.includes(text[pos])) pos++;
  };
  const stop = (reason: string): never => {
    throw new Stop(pos, reason);
  };
  const found = () => (pos >= text.length ? 'the end of the file' : `"${text[pos]}"`);
  const expect = (ch: string) => (text[pos] === ch ? pos++ : stop(`expected "${ch}" but found ${found()}`));

  const string = () => {
    expect('"');
    while (text[pos] !== '"') {
      if (pos >= text.length) stop('a string is not closed');
      const c = text.charCodeAt(pos);
      if (c < 0x20) stop('a line break or control character inside a string');
      if (text[pos] === '\\') {
        pos++;
        if (text[pos] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 1, pos + 5))) stop('"\\u" must be followed by four hex digits');
          pos += 4;
        } else if (!'"\\/bfnrt'.includes(text[pos] ?? 'x')) stop(`"\\${text[pos] ?? ''}" is not a JSON escape`);
      }
      pos++;
    }
    pos++;
  };

  const number = () => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!m) stop(`expected a value but found ${found()}`);
    pos += (m as RegExpExecArray)[0].length;
  };

  /** A property name and its colon; the value follows. */
  const key = () => {
    if (text[pos] !== '"') stop(`expected a property name in double quotes but found ${found()}`);
    string();
    ws();
    expect(':');
  };

  const scalar = () => {
    const c = text[pos];
    if (c === '"') string();
    else if (c === 't' || c === 'f' || c === 'n') {
      const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, pos));
      if (!word) stop(`expected a value but found ${found()}`);
      pos += (word as string).length;
    } else number();
  };

  // The closing brackets still owed, innermost last: an explicit stack, so that nesting as
  // deep as the file likes never runs out of call stack.
  const closers: string[] = [];

  /** After a value: closes what it ends, and says whether another value follows. */
  const afterValue = (): boolean => {
    for (;;) {
      const close = closers[closers.length - 1];
      if (close === undefined) return false;
      ws();
      if (text[pos] === ',') {
        pos++;
        ws();
        if (text[pos] === close) stop(`a comma before "${close}" (trailing commas are not allowed in JSON)`);
        if (close === '}') key();
        return true;
      }
      if (text[pos] !== close) stop(`expected "," or "${close}" but found ${found()}`);
      pos++;
      closers.pop();
    }
  };

  const value = (): void => {
    for (;;) {
      ws();
      const c = text[pos];
      if (c === '{' || c === '[') {
        const close = c === '{' ? '}' : ']';
        pos++;
        ws();
        if (text[pos] !== close) {
          closers.push(close);
          if (close === '}') key();
          continue; // the container's first value
        }
        pos++;
      } else scalar();
      if (!afterValue()) return;
    }
  };

  try {
    value();
    ws();
    if (pos < text.length) stop(`unexpected ${found()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { ...lineAndColumn(text, e.pos), reason: e.reason };
  }
}

/** A step down into JSON: a property name, or a position in a list. */
export type JsonPathStep = string | number;

/**
 * Where the value at `path` starts in valid JSON `text`, as an offset; as deep as the path goes
 * when the rest of it is missing (the object that lacks the field). For pointing a person at
 * the place a field that parses but makes no sense is written. Iterative, like the above.
 */
export function locateJsonPath(text: string, path: readonly JsonPathStep[]): number {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && ' \t\n\r\uFEFF'.includes(text[pos])) pos++;
  };
  const skipString = () => {
    pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
  };
  const skipValue = () => {
    let depth = 0;
    do {
      ws();
      const c = text[pos];
      if (c === '"') skipString();
      else if (c === '{' || c === '[') {
        depth++;
        pos++;
      } else if (c === '}' || c === ']') {
        depth--;
        pos++;
      } else if (c === ',' || c === ':') pos++;
      else while (pos < text.length && !' \t\n\r,:]}'.includes(text[pos])) pos++;
    } while (depth > 0 && pos < text.length);
  };
  ws();
  let found = pos;
  for (const step of path) {
    const container = text[pos];
    if (container !== (typeof step === 'number' ? '[' : '{')) return found;
    pos++;
    let at = -1;
    for (let i = 0; ; i++) {
      ws();
      if (text[pos] === ']' || text[pos] === '}' || pos >= text.length) break;
      if (text[pos] === ',') {
        pos++;
        ws();
      }
      let match = step === i;
      if (typeof step === 'string') {
        const start = pos;
        skipString();
        match = JSON.parse(text.slice(start, pos)) === step;
        ws();
        pos++; // the colon
        ws();
      }
      // A name given twice means its last value, as JSON.parse reads it.
      if (match) at = pos;
      if (match && typeof step === 'number') break;
      skipValue();
    }
    if (at < 0) return found;
    pos = at;
    found = at;
  }
  return found;
}

/** 1-based line and column (in UTF-16 code units) of an offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
