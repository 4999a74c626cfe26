/**
 * Durations in drover.yaml: whole seconds (`300`) or a short text (`90s`, `4m`, `1h30m`,
 * `2h`), always read as whole seconds. Every duration field of the config uses `duration()`,
 * so the accepted forms, the JSON Schema and the error text are the same everywhere.
 */
import { z } from 'zod';

export const DURATION_FORMS = 'whole seconds (300) or a duration such as 90s, 4m or 1h30m';

// Whole seconds, or hours, minutes and seconds, each at most once, in that order, at least one.
const DURATION_TEXT = /^(?:\d+|(?=\d)(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?)$/;

/** Seconds in `text`, or undefined when it is not one of the accepted forms. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = DURATION_TEXT.exec(text);
  if (!match) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

/**
 * A duration field of at least `min` seconds; its parsed value is whole seconds. Give a default
 * with `.prefault(300)` (parsed like a written value, and shown in the JSON Schema), not
 * `.default()`, which the JSON Schema of a transformed field leaves out.
 */
export function duration(what: string, min = 1) {
  const forms = `must be ${DURATION_FORMS}, at least ${min} s`;
  return z
    .union(
      [
        z.int({ error: forms }).min(min, { error: forms }),
        z.string().regex(DURATION_TEXT, { error: forms }),
      ],
      { error: forms },
    )
    .transform((value, ctx) => {
      const seconds = typeof value === 'number' ? value : (parseDurationSeconds(value) ?? 0);
      if (seconds >= min) return seconds;
      ctx.addIssue({ code: 'custom', message: `${forms}, not "${value}"` });
      return z.NEVER;
    })
    .describe(`${what}: ${DURATION_FORMS}`);
}
