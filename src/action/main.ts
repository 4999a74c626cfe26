// The GitHub Action entry point (bundled to dist/action.js): see run-action.ts.
import { runAction } from './run-action.js';

process.exitCode = await runAction();
