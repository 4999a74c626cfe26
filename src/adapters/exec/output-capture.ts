/**
 * A child's stdout and stderr as they arrive: kept whole (stdout also as raw bytes, for binary
 * payloads that are never logged), and redacted before anyone sees a chunk or the result.
 */
import type { Readable } from 'node:stream';
import type { Redactor } from '../../core/redact.js';

export type OutputStream = 'stdout' | 'stderr';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export class OutputCapture {
  private readonly chunks: Record<OutputStream, Buffer[]> = { stdout: [], stderr: [] };

  constructor(
    private readonly redactor: Redactor | undefined,
    private readonly onOutput?: (stream: OutputStream, chunk: string) => void,
  ) {}

  listen(stream: OutputStream, from: Readable): void {
    from.on('data', (chunk: Buffer) => {
      this.chunks[stream].push(chunk);
      this.onOutput?.(stream, redact(chunk.toString('utf8'), this.redactor));
    });
  }

  result(): CapturedOutput {
    const stdoutBytes = Buffer.concat(this.chunks.stdout);
    return {
      stdout: redact(stdoutBytes.toString('utf8'), this.redactor),
      stderr: redact(Buffer.concat(this.chunks.stderr).toString('utf8'), this.redactor),
      stdoutBytes,
    };
  }
}

export function redact(text: string, redactor: Redactor | undefined): string {
  return redactor ? redactor.redact(text) : text;
}
