/**
 * Prints an error that ended a command before a report existed, through the run's Redactor
 * (a config or adapter error may quote a secret): one JSON document on stdout with --json,
 * text on stderr always. Returns the exit code.
 */
import { exitCodeFor } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { errorDocument } from '../errors.js';

export interface FailureOutput {
  json: boolean;
  redactor: Redactor;
  stdout(text: string): void;
  stderr(text: string): void;
}

export function reportFailure(error: unknown, out: FailureOutput): number {
  const document = out.redactor.redactValue(errorDocument(error));
  if (out.json) out.stdout(`${JSON.stringify(document, null, 2)}\n`);
  const e = document.error as {
    code: string;
    message: string;
    hint?: string | null;
    cause?: string | null;
  };
  out.stderr(`error [${e.code}]: ${e.message}\n`);
  if (e.cause) out.stderr(`  cause: ${e.cause}\n`);
  if (e.hint) out.stderr(`  hint: ${e.hint}\n`);
  return exitCodeFor(error);
}
