/** Picks the progress renderer: a live task list on a TTY, plain timestamped lines otherwise (both on stderr). */
import type { Reporter } from '../../ports/reporter.js';
import { LiveReporter } from './live-reporter.js';
import { PlainReporter } from './plain-reporter.js';

export { LiveReporter, PlainReporter };

export interface ReporterChoice {
  /** Force plain lines (CI, --json, or a test). */
  plain?: boolean;
  quiet?: boolean;
}

export function createReporter(choice: ReporterChoice = {}): Reporter & { flush(): Promise<void> } {
  if (choice.quiet) return { event: () => undefined, flush: async () => undefined };
  // A terminal that reports no width (some pseudo-terminals) would wrap the live list at one
  // character a line: plain lines read better there.
  const liveTerminal = process.stderr.isTTY && (process.stderr.columns ?? 0) >= 40;
  if (!choice.plain && liveTerminal && !process.env.CI) return new LiveReporter();
  const plain = new PlainReporter();
  return { event: (e) => plain.event(e), flush: async () => undefined };
}
