/**
 * Secret redaction, pure: callers register secret values in a Redactor and pass every string
 * that may leave the process (logs, argv echoes, journal, report, errors) through it.
 */
export const REDACTED = '[REDACTED]';

/** Shortest value we treat as a secret; shorter strings would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** The secrets longest first, sorted once per change rather than on every redact call. */
  private longestFirst: string[] | undefined;

  add(secret: string | undefined): void {
    if (secret === undefined) return;
    const trimmed = secret.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    this.longestFirst = undefined;
    this.secrets.add(trimmed);
    // Multi-line secrets (machine configs, kubeconfigs) also leak line by line.
    for (const line of trimmed.split(/\r?\n/)) {
      const l = line.trim();
      if (l.length >= 16) this.secrets.add(l);
    }
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    let out = text;
    // Longest first so a secret containing another is replaced whole.
    const secrets = (this.longestFirst ??= [...this.secrets].sort((a, b) => b.length - a.length));
    // Secrets longer than the text cannot be in it (a run registers one config per node, each
    // longer than any log line): start at the first that fits, found by bisection.
    let lo = 0;
    let hi = secrets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((secrets[mid]?.length ?? 0) > text.length) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < secrets.length; i++) {
      const secret = secrets[i] as string;
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  }

  /** Deep-redacts strings inside plain data (for JSON documents). */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }
}
