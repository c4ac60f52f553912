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

/** A matrix that must be symmetric is not (relative asymmetry above the tolerance). */
export class NotSymmetricError extends RangeError {
  override name = 'NotSymmetricError';
  constructor(
    readonly fn: string,
    readonly arg: string,
    /** Row and column of the worst asymmetric pair. */
    readonly row: number,
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

/** A factorization met a pivot that is not positive: the matrix is not (numerically) positive definite. */
export class NotPositiveDefiniteError extends RangeError {
  override name = 'NotPositiveDefiniteError';
  constructor(
    readonly fn: string,
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

/** Serialized data (codes, packed tensors) that fails its integrity checks. */
export class CorruptDataError extends Error {
  override name = 'CorruptDataError';
  constructor(fn: string, what: string) {
    super(`${fn}: corrupt data: ${what}`);
  }
}
