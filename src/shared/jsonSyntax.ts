// Where JSON text first goes wrong, as a line and column and a plain reason. JSON.parse says
// only that the text is invalid, and not always where; a person fixing a hand-edited file needs
// both. Called only after JSON.parse has failed, so speed does not matter.

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

  const sequence = (close: string, item: () => void) => {
    pos++;
    ws();
    if (text[pos] === close) {
      pos++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[pos] === ',') {
        pos++;
        ws();
        if (text[pos] === close) stop(`a comma before "${close}" (trailing commas are not allowed in JSON)`);
        continue;
      }
      if (text[pos] === close) {
        pos++;
        return;
      }
      stop(`expected "," or "${close}" but found ${found()}`);
    }
  };

  const value = (): void => {
    ws();
    const c = text[pos];
    if (c === '{') {
      sequence('}', () => {
        if (text[pos] !== '"') stop(`expected a property name in double quotes but found ${found()}`);
        string();
        ws();
        expect(':');
        value();
      });
    } else if (c === '[') sequence(']', value);
    else if (c === '"') string();
    else if (c === 't' || c === 'f' || c === 'n') {
      const word = ['true', 'false', 'null'].find((w) => text.startsWith(w, pos));
      if (!word) stop(`expected a value but found ${found()}`);
      pos += (word as string).length;
    } else number();
  };

  try {
    value();
    ws();
    if (pos < text.length) stop(`unexpected ${found()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.pos).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1, reason: e.reason };
  }
}
