/**
 * A restricted Python unpickler: it rebuilds plain data (None, bool, int, float, str, list, tuple, dict,
 * `collections.OrderedDict`) and hands every other global to a caller-supplied whitelist, like
 * `torch.load(weights_only=True)`. It never executes anything from the pickle: a global outside the whitelist is
 * refused where the pickle names it (before any REDUCE could apply it), and the whitelisted callables are the
 * caller's own pure builders.
 *
 * Supported opcodes are those pickle protocols 2-4 use for such data (PROTO, FRAME, MARK, STOP, the BININT
 * family, LONG1, BINFLOAT, NONE, NEWTRUE/NEWFALSE, BINUNICODE/SHORT_BINUNICODE/BINUNICODE8, EMPTY_DICT/LIST/TUPLE,
 * TUPLE/TUPLE1-3, SETITEM(S), APPEND(S), BINPUT/LONG_BINPUT/MEMOIZE, BINGET/LONG_BINGET, GLOBAL/STACK_GLOBAL,
 * REDUCE, BUILD with an empty state, BINPERSID); any other opcode is refused by name.
 *
 * Representation: lists are arrays, tuples are frozen arrays, dicts are plain objects (integer keys become their
 * decimal strings, as in JSON; other non-string keys are refused), ints are numbers when they are safe integers and
 * bigints otherwise.
 */
import { CorruptDataError } from '../errors/index.js';

/** A global the whitelist lets a pickle name: a value (e.g. a storage type) or a pure builder REDUCE may apply. */
export interface PickleGlobal {
  /** `module.name`, for messages. */
  readonly qualifiedName: string;
  /**
   * Builds the result of `global(*args)`; absent for globals that are only values. Throws an Error saying what is
   * wrong with the arguments (the unpickler turns it into a CorruptDataError naming the global and the offset).
   */
  readonly call?: (args: readonly unknown[]) => unknown;
}

export interface UnpickleHooks {
  /** The public function the user called, for messages. */
  fn: string;
  /** The whitelisted global `module.name`, or undefined to refuse it. */
  findGlobal(module: string, name: string): PickleGlobal | undefined;
  /** Resolves a persistent id (BINPERSID); throws CorruptDataError for ids it does not know. */
  persistentLoad(pid: unknown): unknown;
}

/** Names of the standard opcodes this unpickler refuses, for messages. */
const REFUSED_OPCODES: Readonly<Record<number, string>> = {
  0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4c: 'LONG', 0x50: 'PERSID',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x64: 'DICT',
  0x67: 'GET', 0x69: 'INST', 0x6c: 'LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x8b: 'LONG4',
  0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x92: 'NEWOBJ_EX', 0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET',
  0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Dicts built by this unpickler (SETITEM(S) only writes into these). */
const DICTS = new WeakSet<object>();

/** A new empty dict: a plain object whose keys are set as own properties (a key "__proto__" stays data). */
function newPickleDict(): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  DICTS.add(d);
  return d;
}

/** True for a dict this unpickler built. */
export function isPickleDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && DICTS.has(v);
}

/** True for a tuple (a frozen array) this unpickler built. */
export function isPickleTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

const ORDERED_DICT: PickleGlobal = {
  qualifiedName: 'collections.OrderedDict',
  call: (args) => {
    if (args.length !== 0) throw new Error('takes no arguments here');
    return newPickleDict();
  },
};

const GLOBALS = new WeakSet<PickleGlobal>();

/**
 * Rebuilds the object a pickle describes, resolving globals and persistent ids through `hooks`. Throws
 * CorruptDataError (naming the opcode and its byte offset) for a truncated or malformed pickle, an unsupported
 * opcode or a global outside the whitelist. O(bytes.length) work besides what the hooks do.
 */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks): unknown {
  return new Unpickler(bytes, hooks).run();
}

class Unpickler {
  private pos = 0;
  private stack: unknown[] = [];
  private marks: number[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;
  /** Offset of the opcode being run, for messages. */
  private at = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly hooks: UnpickleHooks,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(what: string): never {
    throw new CorruptDataError(this.hooks.fn, `pickle byte ${this.at}: ${what}`);
  }

  private need(n: number): number {
    if (n > this.bytes.length - this.pos) {
      this.fail(`needs ${n} more bytes, ${this.bytes.length - this.pos} left (truncated pickle)`);
    }
    const p = this.pos;
    this.pos += n;
    return p;
  }

  private u8(): number {
    return this.bytes[this.need(1)];
  }

  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  private u64(): number {
    const p = this.need(8);
    const v = this.view.getBigUint64(p, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} is beyond any file`);
    return Number(v);
  }

  private utf8(n: number): string {
    const p = this.need(n);
    try {
      return UTF8.decode(this.bytes.subarray(p, p + n));
    } catch {
      return this.fail('string is not valid UTF-8');
    }
  }

  /** A newline-terminated ASCII line (GLOBAL's module and name). */
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('GLOBAL name is not terminated (truncated pickle)');
    const s = this.utf8(end - this.pos);
    this.pos++;
    return s;
  }

  private push(v: unknown): void {
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length <= this.topMark()) this.fail('stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length <= this.topMark()) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private topMark(): number {
    return this.marks.length ? this.marks[this.marks.length - 1] : 0;
  }

  /** Pops everything above the last MARK, and the mark. */
  private popMark(): unknown[] {
    const m = this.marks.pop();
    if (m === undefined) this.fail('no MARK to pop to');
    return this.stack.splice(m);
  }

  private memoGet(i: number): unknown {
    if (!this.memo.has(i)) this.fail(`memo entry ${i} is not set`);
    return this.memo.get(i);
  }

  private global(module: string, name: string): PickleGlobal {
    const g =
      module === 'collections' && name === 'OrderedDict' ? ORDERED_DICT : this.hooks.findGlobal(module, name);
    if (g === undefined) {
      this.fail(
        `global '${module}.${name}' is not allowed (only tensors, storages, OrderedDict and torch.Size are ` +
          'rebuilt; nothing from the file is executed)',
      );
    }
    GLOBALS.add(g);
    return g;
  }

  private setItem(dict: unknown, key: unknown, value: unknown): void {
    if (!isPickleDict(dict)) this.fail('SETITEM on something that is not a dict');
    let k: string;
    if (typeof key === 'string') k = key;
    else if ((typeof key === 'number' && Number.isInteger(key)) || typeof key === 'bigint') k = String(key);
    else return this.fail(`dict key of type ${key === null ? 'None' : typeof key} is not supported`);
    Object.defineProperty(dict, k, { value, enumerable: true, writable: true, configurable: true });
  }

  private list(): unknown[] {
    const l = this.top();
    if (!Array.isArray(l) || Object.isFrozen(l)) this.fail('APPEND on something that is not a list');
    return l;
  }

  private int(v: bigint): number | bigint {
    return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  /** LONG1: little-endian two's complement of n bytes. */
  private long(n: number): number | bigint {
    const p = this.need(n);
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[p + i]);
    if (n > 0 && this.bytes[p + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return this.int(v);
  }

  private reduce(): void {
    const args = this.pop();
    const f = this.pop();
    if (typeof f !== 'object' || f === null || !GLOBALS.has(f as PickleGlobal)) {
      this.fail('REDUCE on something that is not a whitelisted global');
    }
    const g = f as PickleGlobal;
    if (!g.call) this.fail(`'${g.qualifiedName}' cannot be called`);
    if (!isPickleTuple(args)) this.fail(`REDUCE of '${g.qualifiedName}' without an argument tuple`);
    try {
      this.push(g.call(args));
    } catch (e) {
      if (e instanceof CorruptDataError) throw e;
      this.fail(`${g.qualifiedName}: ${(e as Error).message}`);
    }
  }

  run(): unknown {
    const { bytes } = this;
    for (;;) {
      this.at = this.pos;
      if (this.pos >= bytes.length) this.fail('ends without STOP (truncated pickle)');
      const op = bytes[this.pos++];
      switch (op) {
        case 0x80: // PROTO
          if (this.u8() > 5) this.fail('pickle protocol above 5');
          break;
        case 0x95: // FRAME: an 8-byte frame length, a framing hint only
          if (this.u64() > bytes.length - this.pos) this.fail('frame longer than the pickle');
          break;
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          break;
        case 0x2e: { // STOP
          if (this.marks.length || this.stack.length !== 1) this.fail('STOP with an unbalanced stack');
          return this.stack[0];
        }
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4a: // BININT
          this.push(this.view.getInt32(this.need(4), true));
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.view.getUint16(this.need(2), true));
          break;
        case 0x8a: // LONG1
          this.push(this.long(this.u8()));
          break;
        case 0x47: // BINFLOAT (big-endian)
          this.push(this.view.getFloat64(this.need(8), false));
          break;
        case 0x58: // BINUNICODE
          this.push(this.utf8(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.utf8(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.utf8(this.u64()));
          break;
        case 0x7d: // EMPTY_DICT
          this.push(newPickleDict());
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(Object.freeze([]));
          break;
        case 0x74: // TUPLE
          this.push(Object.freeze(this.popMark()));
          break;
        case 0x85: // TUPLE1
          this.push(Object.freeze([this.pop()]));
          break;
        case 0x86: { // TUPLE2
          const b = this.pop();
          this.push(Object.freeze([this.pop(), b]));
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop();
          const b = this.pop();
          this.push(Object.freeze([this.pop(), b, c]));
          break;
        }
        case 0x73: { // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItem(this.top(), key, value);
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark();
          if (items.length % 2) this.fail('SETITEMS with an odd number of items');
          const dict = this.top();
          for (let i = 0; i < items.length; i += 2) this.setItem(dict, items[i], items[i + 1]);
          break;
        }
        case 0x61: { // APPEND
          const v = this.pop();
          this.list().push(v);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark();
          const l = this.list();
          for (const v of items) l.push(v);
          break;
        }
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x63: { // GLOBAL
          const module = this.line();
          this.push(this.global(module, this.line()));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module, name));
          break;
        }
        case 0x52: // REDUCE
          this.reduce();
          break;
        case 0x62: { // BUILD: only the no-op form (no state, or an empty dict) is accepted
          const state = this.pop();
          this.top();
          if (!(state === null || (isPickleDict(state) && Object.keys(state).length === 0))) {
            this.fail('BUILD with object state is not supported');
          }
          break;
        }
        case 0x51: // BINPERSID
          this.push(this.hooks.persistentLoad(this.pop()));
          break;
        default: {
          const name = REFUSED_OPCODES[op];
          this.fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${name ? ` (${name})` : ''}`);
        }
      }
    }
  }
}
