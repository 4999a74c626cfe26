/** The exit code of a finished run (README.md; docs/architecture.md, "Errors and exit codes"): shared by `drover upgrade` and `drover simulate`. */
import { EXIT_CODES, EXIT_WINDOW_CLOSED } from '../../core/errors.js';
import type { UpgradeReport } from '../../core/report.js';
import { WINDOW_CLOSED } from '../../engine/window-gate.js';

export function exitCodeOf(report: UpgradeReport): number {
  if (report.outcome === 'succeeded')
    return report.violations.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failed;
  // A clean stop at the window's end; an invariant broken on the way still says 1.
  if (report.failure?.code === WINDOW_CLOSED)
    return report.violations.length === 0 ? EXIT_WINDOW_CLOSED : EXIT_CODES.failed;
  if (report.outcome === 'aborted') return EXIT_CODES.aborted;
  return report.failure?.category === 'refused' ? EXIT_CODES.refused : EXIT_CODES.failed;
}
