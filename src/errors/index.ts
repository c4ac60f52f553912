/**
 * Named error classes and the message format shared by every public function.
 *
 * Messages read `fn: arg must be <expected>, got <given>` so a caller can tell which
 * function rejected which argument and why. Wrong types throw `TypeError`, values
 * outside a supported domain throw `RangeError`, and numerical preconditions have
 * their own classes below.
 */

/** Short, bounded description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const len = (value as unknown as { length?: number }).length;
    return len === undefined ? name : `${name}(${len})`;
  }
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return String(value);
}

/** Builds the standard message: `fn: arg must be expected, got given`. */
export function argMessage(fn: string, arg: string, expected: string, given: string): string {
  return `${fn}: ${arg} must be ${expected}, got ${given}`;
}

/** `RangeError` with the standard message. */
export function rangeError(fn: string, arg: string, expected: string, given: string): RangeError {
  return new RangeError(argMessage(fn, arg, expected, given));
}

/** `TypeError` with the standard message. */
export function typeError(fn: string, arg: string, expected: string, given: unknown): TypeError {
  return new TypeError(argMessage(fn, arg, expected, describeValue(given)));
}

/**
 * A matrix that must be symmetric is not: its relative asymmetry max_ij |A_ij - A_ji| / max|A| is above the
 * tolerance (1e-10 for Hessians). A `RangeError`, so `catch (e) { if (e instanceof RangeError) ... }` sees it too.
 *
 * @example
 * try { blockLDL(H, 8); } catch (e) { if (e instanceof NotSymmetricError) console.log(e.row, e.col, e.relativeAsymmetry); }
 */
export class NotSymmetricError extends RangeError {
  /** `'NotSymmetricError'`. */
  override name = 'NotSymmetricError';
  /** Thrown by the library's checks; the message reads `fn: arg must be symmetric (...), got ...`. */
  constructor(
    /** The public function that threw. */
    readonly fn: string,
    /** The argument that is not symmetric. */
    readonly arg: string,
    /** Row of the worst asymmetric pair. */
    readonly row: number,
    /** Column of the worst asymmetric pair. */
    readonly col: number,
    /** |A_ij - A_ji| / max|A|. */
    readonly relativeAsymmetry: number,
    tolerance: number,
  ) {
    super(
      `${fn}: ${arg} must be symmetric (relative asymmetry <= ${tolerance}), ` +
        `got |A[${row}][${col}] - A[${col}][${row}]| / max|A| = ${relativeAsymmetry.toExponential(3)}`,
    );
  }
}

/**
 * A factorization (Cholesky, LDL, block LDL) met a pivot that is not positive: the matrix is not (numerically)
 * positive definite. The message suggests the usual remedy, adding a multiple of the identity (regularizeHessian).
 *
 * @example
 * try { cholesky(H); } catch (e) { if (e instanceof NotPositiveDefiniteError) H = regularizeHessian(H, 1e-2); }
 */
export class NotPositiveDefiniteError extends RangeError {
  /** `'NotPositiveDefiniteError'`. */
  override name = 'NotPositiveDefiniteError';
  /** Thrown by the factorizations; the message reads `fn: arg must be symmetric positive definite, but pivot ...`. */
  constructor(
    /** The public function that threw. */
    readonly fn: string,
    /** The argument that failed to factor. */
    readonly arg: string,
    /** Index (row/column) of the failing pivot. */
    readonly pivot: number,
    /** The value the pivot took (<= 0 or not finite). */
    readonly pivotValue: number,
  ) {
    super(
      `${fn}: ${arg} must be symmetric positive definite, but pivot ${pivot} is ${pivotValue} ` +
        `(hint: regularize it, e.g. regularizeHessian(H, 1e-2) adds a multiple of the identity)`,
    );
  }
}

/**
 * Serialized data (a file's header or tensors, codes, packed tensors) that fails its integrity checks. Readers
 * validate before they trust a byte, so this is thrown before anything partial is returned.
 *
 * @example
 * try { readQuantizedModel(bytes); } catch (e) { if (e instanceof CorruptDataError) console.error(e.message); }
 */
export class CorruptDataError extends Error {
  /** `'CorruptDataError'`. */
  override name = 'CorruptDataError';
  /** Thrown by the readers; the message reads `fn: corrupt data: what`. */
  constructor(fn: string, what: string) {
    super(`${fn}: corrupt data: ${what}`);
  }
}

/**
 * A compute backend that was asked for by name (`setBackend('webgpu')`, `{ backend: 'webgpu' }`) cannot run in this
 * environment. `backend` names it and the message says how to enable it; `'auto'` never throws this.
 *
 * @example
 * try { await fwhtRowsAsync(data, rows, n, { backend: 'webgpu' }); }
 * catch (e) { if (e instanceof BackendUnavailableError) console.log(e.backend, e.hint); }
 */
export class BackendUnavailableError extends Error {
  /** `'BackendUnavailableError'`. */
  override name = 'BackendUnavailableError';
  /** Thrown by the backend registry; the message reads `fn: backend 'name' is not available here: hint`. */
  constructor(
    /** The public function that threw. */
    readonly fn: string,
    /** The backend that was asked for. */
    readonly backend: string,
    /** Why it cannot run and how to enable it. */
    readonly hint: string,
  ) {
    super(`${fn}: backend '${backend}' is not available here: ${hint}`);
  }
}

/**
 * A device call of a quantized layer after its `dispose()` released the layer's device buffers (the synchronous CPU
 * methods keep working).
 *
 * @example
 * q.dispose();
 * await q.matvecAsync(x, { backend: 'webgpu' }).catch((e) => e instanceof DisposedError); // true
 */
export class DisposedError extends Error {
  /** `'DisposedError'`. */
  override name = 'DisposedError';
  /** Thrown by QuantizedLinear's async products; the message names `fn` and how to go on. */
  constructor(
    /** The public method that threw. */
    readonly fn: string,
  ) {
    super(`${fn}: this layer was disposed (dispose() released its device buffers); create a new QuantizedLinear to use it again`);
  }
}
