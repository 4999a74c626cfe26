/**
 * Every failure Drover reports carries a stable code, a message, a hint for the operator and,
 * where there is one, the underlying cause. The code comes from the catalogue (error-codes.ts),
 * which fixes its category and whether it is retryable; the CLI maps the category to an exit
 * code once.
 */
import { ERROR_CODES, isErrorCode, type CategoryOf, type ErrorCode } from './error-codes.js';

export const ERROR_CATEGORIES = ['usage', 'input', 'refused', 'failed', 'aborted'] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number];

/** Exit codes of the command-line contract (README.md; docs/architecture.md, "Errors and exit codes"). */
export const EXIT_CODES = {
  ok: 0,
  failed: 1,
  aborted: 1,
  usage: 2,
  input: 2,
  refused: 3,
} as const satisfies Record<ErrorCategory | 'ok', number>;

/**
 * A run the maintenance window cut off: it stopped cleanly between nodes (nothing left
 * cordoned, lease released); `--resume` inside the next window continues it.
 */
export const EXIT_WINDOW_CLOSED = 4;

export interface DroverErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured facts for --json output and the journal (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * `category` must be the catalogue's category of `code` (a mismatch does not type-check); it
 * stays an argument so that every raising site reads as what it is.
 */
export class DroverError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly category: ErrorCategory;
  /** Whether the same call may succeed when tried again (the catalogue decides, per code). */
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    category: NoInfer<CategoryOf<C>>,
    code: C,
    message: string,
    options: DroverErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Only JavaScript callers or data can bring a code the types refuse: keep what they said.
    const entry = isErrorCode(code) ? ERROR_CODES[code] : undefined;
    this.name = 'DroverError';
    // The catalogue's, also where a union of codes let a union of categories through.
    this.category = entry?.category ?? category;
    this.code = code;
    this.retryable = entry?.retryable ?? false;
    this.hint = options.hint ?? entry?.hint;
    this.details = options.details;
  }
}

export function isDroverError(value: unknown): value is DroverError {
  return value instanceof DroverError;
}

/** What the engine may try again: a DroverError whose code the catalogue marks retryable. */
export function isRetryable(error: unknown): boolean {
  return isDroverError(error) && error.retryable;
}

export function exitCodeFor(error: unknown): number {
  return isDroverError(error) ? EXIT_CODES[error.category] : EXIT_CODES.failed;
}
