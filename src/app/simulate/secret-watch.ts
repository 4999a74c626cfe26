/**
 * Invariant no-secret-leaks as the simulated cluster can see it: none of the secrets it served (machine
 * configs' tokens and keys) may appear in what the run writes: progress events, stderr, the audit
 * log, the journal or the report. Everything passes through `scan` before it leaves.
 */
import type { Violation } from '../../core/report.js';

/** Shorter values would match by chance (and are not secrets the twin serves). */
const MIN_SECRET_LENGTH = 8;

export class SecretWatch {
  private readonly leaks = new Map<string, number>();

  constructor(
    private readonly secrets: () => string[],
    private readonly now: () => number,
  ) {}

  /** Looks for served secrets in `text`, which went to `where`. */
  scan(where: string, text: string): void {
    if (this.leaks.has(where)) return;
    for (const secret of this.secrets())
      if (secret.length >= MIN_SECRET_LENGTH && text.includes(secret)) {
        this.leaks.set(where, this.now());
        return;
      }
  }

  violations(): Violation[] {
    return [...this.leaks].map(([where, at]) => ({
      invariant: 'no-secret-leaks',
      at,
      message: `a secret the cluster served appeared in ${where}`,
    }));
  }
}
