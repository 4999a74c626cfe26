import { describe, expect, it } from 'vitest';
import type { UpgradeReport } from '../../core/report.js';
import { exitCodeOf } from './exit-code.js';

const report = (over: Partial<UpgradeReport>): UpgradeReport =>
  ({ outcome: 'succeeded', failure: null, violations: [], ...over }) as UpgradeReport;
const failure = (code: string, category: string) =>
  ({ code, category }) as unknown as UpgradeReport['failure'];
const violation = { invariant: 'uncordon-when-done', at: 0, message: 'x' } as const;

describe('exitCodeOf', () => {
  it.each([
    ['succeeded', report({}), 0],
    ['succeeded with a violation', report({ violations: [violation] }), 1],
    ['failed', report({ outcome: 'failed', failure: failure('X', 'failed') }), 1],
    ['refused', report({ outcome: 'failed', failure: failure('GATE', 'refused') }), 3],
    ['aborted', report({ outcome: 'aborted', failure: failure('ABORTED', 'aborted') }), 1],
    [
      'stopped at the window end',
      report({ outcome: 'aborted', failure: failure('WINDOW_CLOSED', 'aborted') }),
      4,
    ],
    [
      'stopped at the window end with a violation',
      report({
        outcome: 'aborted',
        failure: failure('WINDOW_CLOSED', 'aborted'),
        violations: [violation],
      }),
      1,
    ],
  ])('%s: %i', (_name, r, code) => {
    expect(exitCodeOf(r)).toBe(code);
  });
});
