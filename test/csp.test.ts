import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/csp/run-without-eval.ts', import.meta.url));

function run(extraFlags: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [...extraFlags, '--import', 'tsx', script], { encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('without code generation (a page CSP without unsafe-eval)', () => {
  it('every step of the pipeline runs and gives the same numbers as with it', () => {
    const refused = run(['--disallow-code-generation-from-strings']);
    const allowed = run([]);
    expect(refused.evalRefused).toBe(true);
    expect(allowed.evalRefused).toBe(false);
    const { evalRefused: _a, ...r } = refused;
    const { evalRefused: _b, ...a } = allowed;
    expect(r).toEqual(a);
    expect(r.method).toBe('rfft');
  });
});
