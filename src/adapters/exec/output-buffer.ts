/**
 * What the exec chokepoint keeps in memory of one output stream of a child. A child that prints
 * gigabytes (a talosctl in a loop, a wrapper script gone wrong) must not grow the runner's memory
 * without bound, so nothing keeps more than a cap: a stream Drover reads (parses) is kept whole
 * or marked overflowed, never cut (a cut JSON document or table would parse as something else);
 * a stream only shown to people keeps its tail, where errors are.
 */

/**
 * The most kept of a stream Drover reads. The largest it parses is `terraform show -json` (the
 * whole state plus the plan, a few KiB per resource: hundreds of VMs stay well under 10 MiB);
 * 32 MiB leaves room for a large state while holding a runaway child to tens of MiB per stream
 * (the bytes, their text, its redacted copy) instead of gigabytes.
 */
export const MAX_READ_OUTPUT_BYTES = 32 * 1024 * 1024;

/**
 * The most kept of a stream only shown to people: messages quote a few hundred characters of its
 * end (hooks at most 2,000), so 1 MiB is ample and small.
 */
export const SHOWN_OUTPUT_TAIL_BYTES = 1024 * 1024;

/** Put in front of a tail whose beginning was not kept. */
export const CUT_MARKER = '[… earlier output not kept]\n';

/** `read`: whole or overflowed; `shown`: the tail past the cap. */
export type OutputUse = 'read' | 'shown';

export class OutputBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private overflowed = false;
  private readonly limit: number;

  constructor(private readonly use: OutputUse) {
    this.limit = use === 'read' ? MAX_READ_OUTPUT_BYTES : SHOWN_OUTPUT_TAIL_BYTES;
  }

  push(chunk: Buffer): void {
    if (this.use === 'read') {
      if (this.overflowed) return;
      if (this.size + chunk.length > this.limit) {
        // Not a byte more: free what was kept; the caller gets an error, not a cut document.
        this.overflowed = true;
        this.chunks = [];
        this.size = 0;
        return;
      }
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size > this.limit) this.dropFront();
  }

  /** A `read` stream that went past the cap (and so holds nothing). */
  get tooLarge(): boolean {
    return this.use === 'read' && this.overflowed;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /**
   * The kept text. A cut tail starts after its first line break: the line it starts in may begin
   * inside a secret, whose remaining characters the redactor would not recognise (it knows whole
   * secrets, and the lines of multi-line ones), or inside a UTF-8 character.
   */
  text(): string {
    const text = this.bytes().toString('utf8');
    if (!this.overflowed) return text;
    const lineBreak = text.indexOf('\n');
    return CUT_MARKER + (lineBreak < 0 ? '' : text.slice(lineBreak + 1));
  }

  /** Shown streams: keep only the last `limit` bytes (`overflowed` then means "cut"). */
  private dropFront(): void {
    this.overflowed = true;
    while (this.chunks.length > 0 && this.size - (this.chunks[0]?.length ?? 0) >= this.limit) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
    const first = this.chunks[0];
    if (first && this.size > this.limit) {
      // A copy, not a view: a view would keep the whole dropped chunk alive.
      const keep = Buffer.from(first.subarray(this.size - this.limit));
      this.chunks[0] = keep;
      this.size = this.limit;
    }
  }
}
