/**
 * A child's stdout and stderr as they arrive: each kept within its cap (see output-buffer; stdout
 * also as raw bytes, for binary payloads that are never logged), passed on line by line as they
 * come, and redacted before anyone sees a line or the result.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Redactor } from '../../core/redact.js';
import { OutputBuffer, type OutputUse } from './output-buffer.js';

export type OutputStream = 'stdout' | 'stderr';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
  /** A stream Drover reads that went past its cap: its output is not there, and must not be used. */
  tooLarge: OutputStream | undefined;
}

/** The most of an unfinished line held back from `onOutput` (a progress line is far shorter). */
const MAX_HELD_LINE_CHARS = 64 * 1024;

export class OutputCapture {
  private readonly buffers: Record<OutputStream, OutputBuffer>;
  private readonly decoders: Partial<Record<OutputStream, StringDecoder>> = {};
  private readonly held: Record<OutputStream, string> = { stdout: '', stderr: '' };

  constructor(
    private readonly redactor: Redactor | undefined,
    private readonly onOutput?: (stream: OutputStream, chunk: string) => void,
    shownOnly: readonly OutputStream[] = [],
  ) {
    const use = (stream: OutputStream): OutputUse =>
      shownOnly.includes(stream) ? 'shown' : 'read';
    this.buffers = {
      stdout: new OutputBuffer(use('stdout')),
      stderr: new OutputBuffer(use('stderr')),
    };
  }

  listen(stream: OutputStream, from: Readable): void {
    // A chunk may end inside a UTF-8 character: the decoder holds its first bytes back.
    const decoder = new StringDecoder('utf8');
    this.decoders[stream] = decoder;
    from.on('data', (chunk: Buffer) => {
      this.buffers[stream].push(chunk);
      if (this.onOutput) this.passOn(stream, decoder.write(chunk), false);
    });
  }

  /** After the child closed: what `onOutput` has not been given yet (a last unfinished line). */
  flush(): void {
    if (!this.onOutput) return;
    for (const stream of ['stdout', 'stderr'] as const)
      this.passOn(stream, this.decoders[stream]?.end() ?? '', true);
  }

  /**
   * Hands `onOutput` whole lines only: a chunk may end inside a secret, and redacting each half
   * alone would let both halves through. A line longer than MAX_HELD_LINE_CHARS goes out anyway.
   */
  private passOn(stream: OutputStream, text: string, last: boolean): void {
    const held = this.held[stream] + text;
    const lineEnd = last ? held.length : held.lastIndexOf('\n') + 1;
    const ready =
      lineEnd > 0 ? held.slice(0, lineEnd) : held.length > MAX_HELD_LINE_CHARS ? held : '';
    this.held[stream] = held.slice(ready.length);
    if (ready !== '') this.onOutput?.(stream, redact(ready, this.redactor));
  }

  result(): CapturedOutput {
    const { stdout, stderr } = this.buffers;
    return {
      stdout: redact(stdout.text(), this.redactor),
      stderr: redact(stderr.text(), this.redactor),
      stdoutBytes: stdout.bytes(),
      tooLarge: stdout.tooLarge ? 'stdout' : stderr.tooLarge ? 'stderr' : undefined,
    };
  }
}

export function redact(text: string, redactor: Redactor | undefined): string {
  return redactor ? redactor.redact(text) : text;
}
