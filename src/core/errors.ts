/**
 * Every failure Drover reports carries a stable code, a message, a hint for the operator and,
 * where there is one, the underlying cause. The CLI maps the category to an exit code once.
 */
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

export class DroverError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    category: ErrorCategory,
    code: string,
    message: string,
    options: DroverErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DroverError';
    this.category = category;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export function isDroverError(value: unknown): value is DroverError {
  return value instanceof DroverError;
}

export function exitCodeFor(error: unknown): number {
  return isDroverError(error) ? EXIT_CODES[error.category] : EXIT_CODES.failed;
}
