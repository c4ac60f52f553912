/**
 * The `.npy` header: a Python dict literal such as `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`,
 * read by a small strict parser for exactly this grammar (never evaluated), and written as numpy writes it.
 *
 * Grammar (whitespace: space, tab, CR, LF between tokens; a trailing comma allowed in the dict and the tuple):
 *
 *     header := "{" entry ("," entry)* [","] "}"          with exactly the keys descr, fortran_order, shape
 *     entry  := string ":" (string | "True" | "False" | tuple)
 *     tuple  := "(" ")" | "(" int "," ")" | "(" int ("," int)+ [","] ")"
 *     string := "'" chars "'" | '"' chars '"'                (no backslashes or line breaks inside)
 *     int    := "0" | [1-9][0-9]*                            (non-negative, at most 2^53 - 1)
 */
import { CorruptDataError } from '../errors/index.js';

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type PyValue = string | boolean | number[];

/** Parses a header's text. Throws `CorruptDataError(fn, 'header: ...')` on anything outside the grammar. */
export function parseNpyHeader(fn: string, text: string): NpyHeader {
  return new HeaderParser(fn, text).header();
}

class HeaderParser {
  private i = 0;
  constructor(
    private readonly fn: string,
    private readonly s: string,
  ) {}

  private fail(message: string): never {
    throw new CorruptDataError(this.fn, `header: ${message} at character ${this.i} of ${JSON.stringify(this.s.slice(0, 120))}`);
  }

  private space(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
  }

  /** Skips whitespace, then consumes `c` if it is next. */
  private eat(c: string): boolean {
    this.space();
    if (this.s[this.i] !== c) return false;
    this.i++;
    return true;
  }

  private expect(c: string): void {
    if (!this.eat(c)) this.fail(`expected ${JSON.stringify(c)}`);
  }

  header(): NpyHeader {
    const dict = new Map<string, PyValue>();
    this.expect('{');
    while (!this.eat('}')) {
      this.space();
      const key = this.string();
      if (dict.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      this.expect(':');
      dict.set(key, this.value());
      if (!this.eat(',')) {
        this.expect('}');
        break;
      }
    }
    this.space();
    if (this.i < this.s.length) this.fail('unexpected text after the dict');
    const keys = [...dict.keys()].sort().join(', ');
    if (keys !== 'descr, fortran_order, shape') {
      this.fail(`keys must be exactly descr, fortran_order, shape (got ${keys || 'none'})`);
    }
    const descr = dict.get('descr');
    const fortranOrder = dict.get('fortran_order');
    const shape = dict.get('shape');
    if (typeof descr !== 'string') {
      throw new CorruptDataError(this.fn, 'header: descr must be a string (structured dtypes are not supported)');
    }
    if (typeof fortranOrder !== 'boolean') throw new CorruptDataError(this.fn, 'header: fortran_order must be True or False');
    if (!Array.isArray(shape)) throw new CorruptDataError(this.fn, 'header: shape must be a tuple of integers');
    return { descr, fortranOrder, shape };
  }

  private value(): PyValue {
    this.space();
    const c = this.s[this.i];
    if (c === "'" || c === '"') return this.string();
    if (c === '(') return this.tuple();
    for (const [word, v] of [['True', true], ['False', false]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.fail('expected a string, True, False or a tuple');
  }

  private string(): string {
    const quote = this.s[this.i];
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted string');
    const start = ++this.i;
    while (this.i < this.s.length && this.s[this.i] !== quote) {
      if ('\\\n\r'.includes(this.s[this.i])) this.fail('unsupported character in a string');
      this.i++;
    }
    if (this.i >= this.s.length) this.fail('unterminated string');
    return this.s.slice(start, this.i++);
  }

  private tuple(): number[] {
    this.i++; // (
    const out: number[] = [];
    let trailingComma = false;
    while (!this.eat(')')) {
      this.space();
      out.push(this.int());
      trailingComma = this.eat(',');
      if (!trailingComma) {
        this.expect(')');
        break;
      }
    }
    if (out.length === 1 && !trailingComma) this.fail('a one-element tuple needs a trailing comma, "(n,)"');
    return out;
  }

  private int(): number {
    const start = this.i;
    if (this.s[this.i] === '-') this.fail('shape entries must be non-negative');
    while (this.i < this.s.length && this.s[this.i] >= '0' && this.s[this.i] <= '9') this.i++;
    const text = this.s.slice(start, this.i);
    if (text === '') this.fail('expected an integer');
    if (text.length > 1 && text[0] === '0') this.fail('leading zero in an integer');
    const v = Number(text);
    if (!Number.isSafeInteger(v)) this.fail(`shape entry ${text} is beyond 2^53 - 1`);
    return v;
  }
}

/** numpy's header alignment: the data starts at a multiple of 64 bytes. */
const ALIGN = 64;
/** numpy pads the header so the first axis can grow to this many digits when appending in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * The bytes before the data of a C-order `.npy` file, byte for byte as numpy 1.24+ writes them: magic, version 1.0
 * (2.0 when the header needs more than 65535 bytes), header length, the dict, spaces, a newline.
 */
export function formatNpyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const growth = shape.length > 0 ? GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length : 0;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }${' '.repeat(growth)}`;
  const textLength = dict.length + 1; // + the final newline
  const v1Pad = ALIGN - ((10 + textLength) % ALIGN);
  const version = textLength + v1Pad < 65536 ? 1 : 2;
  const prefix = version === 1 ? 10 : 12;
  const pad = ALIGN - ((prefix + textLength) % ALIGN);
  const headerLength = textLength + pad;
  const out = new Uint8Array(prefix + headerLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]); // \x93NUMPY, version
  for (let k = 0; k < prefix - 8; k++) out[8 + k] = (headerLength >>> (8 * k)) & 0xff;
  const text = `${dict}${' '.repeat(pad)}\n`;
  for (let k = 0; k < text.length; k++) out[prefix + k] = text.charCodeAt(k); // ASCII only
  return out;
}
