/**
 * A strict JSON (RFC 8259) parser for file headers, stricter than `JSON.parse` where a header's meaning depends
 * on it: objects become `Map`s and a repeated key is an error (`JSON.parse` keeps the last one silently); integer
 * literals become exact `bigint`s, so `2.0`, `2e0` and integers beyond 2^53 are told apart from plain integers;
 * nesting deeper than 128 levels is refused (as serde_json does), and so are lone UTF-16 surrogates in escapes.
 * Every error is a `CorruptDataError(fn, "<what>: invalid JSON at character i: ...")`.
 */
import { CorruptDataError } from '../errors/index.js';

export type JsonValue = null | boolean | string | number | bigint | JsonValue[] | JsonObject;
/** A JSON object, keys in file order. */
export type JsonObject = Map<string, JsonValue>;

const MAX_DEPTH = 128;

/** Parses `text` as one JSON value (surrounding whitespace allowed). Cost: linear in the text. */
export function parseJson(fn: string, what: string, text: string): JsonValue {
  return new Parser(fn, what, text).document();
}

/** A short, bounded description of a JSON value for error messages. */
export function describeJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return `${v} (not an integer literal)`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return 'an object';
}

class Parser {
  private i = 0;
  constructor(
    private readonly fn: string,
    private readonly what: string,
    private readonly s: string,
  ) {}

  document(): JsonValue {
    const v = this.value(0);
    this.space();
    if (this.i < this.s.length) this.fail('unexpected text after the value');
    return v;
  }

  private fail(message: string): never {
    const why = this.i >= this.s.length ? `unexpected end of text (${message})` : message;
    throw new CorruptDataError(this.fn, `${this.what}: invalid JSON at character ${this.i}: ${why}`);
  }

  private space(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  private value(depth: number): JsonValue {
    this.space();
    if (this.i >= this.s.length) this.fail('expected a value');
    const c = this.s[this.i];
    if (c === '{' || c === '[') {
      if (depth >= MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH} levels`);
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private object(depth: number): JsonObject {
    const out: JsonObject = new Map();
    this.i++; // {
    this.space();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') this.fail('expected a string key');
      const at = this.i;
      const key = this.string();
      if (out.has(key)) {
        this.i = at;
        this.fail(`duplicate key ${JSON.stringify(key)}`);
      }
      this.space();
      if (this.s[this.i] !== ':') this.fail('expected ":"');
      this.i++;
      out.set(key, this.value(depth));
      this.space();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') {
        this.i--;
        this.fail('expected "," or "}"');
      }
    }
  }

  private array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++; // [
    this.space();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.space();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') {
        this.i--;
        this.fail('expected "," or "]"');
      }
    }
  }

  private number(): number | bigint {
    const s = this.s;
    const start = this.i;
    const digits = (): number => {
      const from = this.i;
      while (this.i < s.length && s.charCodeAt(this.i) >= 0x30 && s.charCodeAt(this.i) <= 0x39) this.i++;
      return this.i - from;
    };
    if (s[this.i] === '-') this.i++;
    const intStart = this.i;
    const n = digits();
    if (n === 0) this.fail('expected a digit');
    if (n > 1 && s[intStart] === '0') {
      this.i = intStart;
      this.fail('leading zero in a number');
    }
    let integer = true;
    if (s[this.i] === '.') {
      this.i++;
      if (digits() === 0) this.fail('expected a digit after "."');
      integer = false;
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (digits() === 0) this.fail('expected a digit in the exponent');
      integer = false;
    }
    const text = s.slice(start, this.i);
    return integer ? BigInt(text) : Number(text);
  }

  private string(): string {
    const s = this.s;
    this.i++; // "
    let out = '';
    let run = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(run, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail('control character in a string (it must be escaped)');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(run, this.i);
      this.i++; // backslash
      const e = s[this.i++];
      const simple = ESCAPES[e];
      if (simple !== undefined) out += simple;
      else if (e === 'u') out += this.unicodeEscape();
      else {
        this.i--;
        this.fail(`invalid escape "\\${e ?? ''}"`);
      }
      run = this.i;
    }
  }

  /** The character of a `\u` escape of four hex digits (the `\u` already read), joining a surrogate pair written as two. */
  private unicodeEscape(): string {
    const hi = this.hex4();
    if (hi < 0xd800 || hi > 0xdfff) return String.fromCharCode(hi);
    if (hi >= 0xdc00 || !this.s.startsWith('\\u', this.i)) this.fail('lone surrogate in a \\u escape');
    this.i += 2;
    const lo = this.hex4();
    if (lo < 0xdc00 || lo > 0xdfff) this.fail('lone surrogate in a \\u escape');
    return String.fromCharCode(hi, lo);
  }

  private hex4(): number {
    const h = this.s.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('expected 4 hex digits after \\u');
    this.i += 4;
    return parseInt(h, 16);
  }
}

const ESCAPES: Record<string, string | undefined> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
