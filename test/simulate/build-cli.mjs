// The end-to-end tests run the real bundle; kept as an async wrapper for its callers.
import { buildCliInto } from '../helpers/built-cli.mjs';

/** Builds the CLI into `outdir` and returns the path of cli.js. */
export async function buildCli(outdir) {
  return buildCliInto(outdir);
}
