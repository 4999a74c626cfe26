/**
 * Classifies errors once, for every command, from the catalogue (core/error-codes.ts):
 * DroverErrors carry their code, and with it their category, retryability and default hint;
 * anything else is UNEXPECTED (exit 1) reported with its message.
 */
import { ERROR_CODES } from '../core/error-codes.js';
import { DroverError, exitCodeFor, isDroverError } from '../core/errors.js';

export interface ErrorReportOptions {
  json: boolean;
  /** Where human output goes (stderr by default). */
  write?: (text: string) => void;
}

export function errorDocument(error: unknown): Record<string, unknown> {
  if (isDroverError(error)) {
    return {
      error: {
        code: error.code,
        category: error.category,
        message: error.message,
        hint: error.hint ?? null,
        ...(error.details ? { details: error.details } : {}),
        cause: causeMessage(error.cause),
        retryable: error.retryable,
      },
    };
  }
  const unexpected = ERROR_CODES.UNEXPECTED;
  return {
    error: {
      code: 'UNEXPECTED',
      category: unexpected.category,
      message: messageOf(error),
      hint: unexpected.hint,
      retryable: unexpected.retryable,
    },
  };
}

/** Prints the error (JSON document on stdout with --json, text on stderr) and returns the exit code. */
export function reportError(error: unknown, options: ErrorReportOptions): number {
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(errorDocument(error), null, 2)}\n`);
  }
  if (isDroverError(error)) {
    write(`error [${error.code}]: ${error.message}\n`);
    const cause = causeMessage(error.cause);
    if (cause) write(`  cause: ${cause}\n`);
    if (error.hint) write(`  hint: ${error.hint}\n`);
  } else {
    write(`error: ${messageOf(error)}\n`);
    if (process.env.DROVER_DEBUG && error instanceof Error && error.stack)
      write(`${error.stack}\n`);
  }
  return exitCodeFor(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function causeMessage(cause: unknown): string | null {
  if (cause === undefined || cause === null) return null;
  if (cause instanceof DroverError) return `${cause.code}: ${cause.message}`;
  return messageOf(cause);
}
