/** Number formatting and Markdown tables for the guide: fixed rounding, so the pages are byte-stable. */

/** x with `digits` significant digits, in plain notation between 1e-3 and 1e6, else as 1.23e-4. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) throw new RangeError(`sig: x must be finite, got ${x}`);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(digits)));
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  return `${mantissa}e${Number(exponent)}`;
}

/** x with exactly `decimals` decimals (e.g. fixed(0.1, 3) = '0.100'). */
export function fixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`fixed: x must be finite, got ${x}`);
  const s = x.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A GitHub-flavoured Markdown table (header row, alignment row, body rows), ending in a newline. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const rule = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return `${[line(header), line(rule), ...rows.map(line)].join('\n')}\n`;
}

/** The Markdown that shows figure `name` (docs/guide/figures/NAME.svg) with its alt text. */
export function figureLink(name: string, alt: string): string {
  return `![${alt}](figures/${name}.svg)\n`;
}
