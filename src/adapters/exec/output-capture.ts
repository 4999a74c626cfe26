/**
 * A child's stdout and stderr as they arrive: each kept within its cap (see output-buffer; stdout
 * also as raw bytes, for binary payloads that are never logged), and redacted before anyone sees
 * a chunk or the result.
 */
import type { Readable } from 'node:stream';
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

export class OutputCapture {
  private readonly buffers: Record<OutputStream, OutputBuffer>;

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
    from.on('data', (chunk: Buffer) => {
      this.buffers[stream].push(chunk);
      this.onOutput?.(stream, redact(chunk.toString('utf8'), this.redactor));
    });
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
