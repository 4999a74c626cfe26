/**
 * docs/errors.md, rendered from the catalogue: scripts/gen-errors-doc.mjs writes it and
 * test/errors/error-codes-doc.test.ts fails when the committed file differs.
 */
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import { EXIT_CODES, EXIT_WINDOW_CLOSED } from './errors.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function errorCodesMarkdown(): string {
  const codes = (Object.keys(ERROR_CODES) as ErrorCode[]).sort();
  const rows = codes.map((code) => {
    const e = ERROR_CODES[code];
    const exit = code === 'WINDOW_CLOSED' ? EXIT_WINDOW_CLOSED : EXIT_CODES[e.category];
    return `| \`${code}\` | ${exit} | ${e.category} | ${e.retryable ? 'yes' : 'no'} | ${cell(e.meaning)} | ${cell(e.hint)} |`;
  });
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/error-codes.ts by `node scripts/gen-errors-doc.mjs`; do not edit by hand. -->',
    '',
    'Every failure Drover reports carries one of these codes: in the human output',
    '(`error [CODE]: ...`), in `--json` error documents (`error.code`, with `category`, `message`,',
    '`hint`, `details`, `cause` and `retryable`) and in the upgrade report (`failure.code`). Each code',
    'has exactly one category, and the category decides the exit code: `failed` and `aborted` exit 1,',
    '`usage` and `input` exit 2, `refused` exits 3. A run that a maintenance window cut off exits 4',
    '(`WINDOW_CLOSED`). Once an upgrade or simulated run has started, its failure exits 3 when',
    'refused and 1 otherwise (an `input` code met mid-run, such as `PATCH_UNKNOWN`, is a failed run).',
    'Retryable codes are the ones the engine tries again with backoff',
    '(`policy.retry`); every other code fails its step at once. The hint below is the default: where',
    'the raising code knows more, its own hint replaces it.',
    '',
    'The table is generated from the catalogue, src/core/error-codes.ts. After changing the',
    'catalogue, run `node scripts/gen-errors-doc.mjs`; a test fails while this file and the',
    'catalogue differ.',
    '',
    '| code | exit | category | retryable | meaning | default hint |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
