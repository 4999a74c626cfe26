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
  /** Positions in longestFirst of the secrets, by their first four characters. */
  private byPrefix: Map<string, number[]> | undefined;

  add(secret: string | undefined): void {
    if (secret === undefined) return;
    const trimmed = secret.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    this.longestFirst = undefined;
    this.byPrefix = undefined;
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
    // Longest first so a secret containing another is replaced whole.
    const secrets = (this.longestFirst ??= [...this.secrets].sort((a, b) => b.length - a.length));
    const byPrefix = (this.byPrefix ??= prefixIndex(secrets));
    // Secrets longer than the text cannot be in it (a run registers one config per node, each
    // longer than any log line): start at the first that fits, found by bisection.
    let lo = 0;
    let hi = secrets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((secrets[mid]?.length ?? 0) > text.length) lo = mid + 1;
      else hi = mid;
    }
    // Until the first replacement the text is unchanged, and a secret in it has its first four
    // characters in it (every secret has at least four): only those are asked. From the first
    // replacement on, every shorter secret is asked, as a plain pass over all of them would.
    const candidates = new Set<number>();
    for (let p = 0; p + PREFIX <= text.length; p++)
      for (const i of byPrefix.get(text.slice(p, p + PREFIX)) ?? []) if (i >= lo) candidates.add(i);
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const secret = secrets[i] as string;
      if (!text.includes(secret)) continue;
      let out = text.split(secret).join(REDACTED);
      for (let j = i + 1; j < secrets.length; j++) {
        const next = secrets[j] as string;
        if (out.includes(next)) out = out.split(next).join(REDACTED);
      }
      return out;
    }
    return text;
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

/** Length of the prefix secrets are indexed by: MIN_SECRET_LENGTH, so every secret has one. */
const PREFIX = MIN_SECRET_LENGTH;

function prefixIndex(secrets: string[]): Map<string, number[]> {
  const index = new Map<string, number[]>();
  secrets.forEach((secret, i) => {
    const key = secret.slice(0, PREFIX);
    const list = index.get(key);
    if (list) list.push(i);
    else index.set(key, [i]);
  });
  return index;
}
