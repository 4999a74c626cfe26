/**
 * A process entry with only the simulate command registered, exactly as src/cli/main.ts wires
 * it (commander, exit codes, reportError). The end-to-end tests bundle this so they do not
 * depend on every other command building.
 */
import { Command } from 'commander';
import { registerSimulate } from '../../src/cli/commands/simulate.js';
import { reportError } from '../../src/cli/errors.js';

const program = new Command('drover');
program.exitOverride();
registerSimulate(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const e = error as { code?: string; exitCode?: number };
  if (
    typeof e.exitCode === 'number' &&
    typeof e.code === 'string' &&
    e.code.startsWith('commander.')
  ) {
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
  } else {
    process.exitCode = reportError(error, { json: process.argv.includes('--json') });
  }
}
