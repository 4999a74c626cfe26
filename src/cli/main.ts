#!/usr/bin/env node
/**
 * Drover's command line. Command definitions are light; each action loads its implementation
 * on demand so that `drover --help` starts fast.
 */
import { Command } from 'commander';
import { registerRoute } from './commands/route.js';
import { registerPlan } from './commands/plan.js';
import { registerUpgrade } from './commands/upgrade.js';
import { registerValidate } from './commands/validate.js';
import { registerSimulate } from './commands/simulate.js';
import { registerInit } from './commands/init.js';
import { registerRunner } from './commands/runner.js';
import { registerStatus } from './commands/status.js';
import { registerDiagnose } from './commands/diagnose.js';
import { VERSION } from './version.js';

export function buildProgram(): Command {
  const program = new Command('drover')
    .description(
      'Upgrades Talos Linux Kubernetes clusters on Proxmox, managed with Terraform, with nobody at the keyboard.',
    )
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes:
  0  done, or nothing to do
  1  an upgrade failed or was aborted
  2  bad usage or bad input
  3  refused by a safety rule (downgrade, forbidden hop, lock held, gate blocked)

Start with:  drover simulate        (a simulated cattle upgrade of the reference cluster)`,
    );
  program.exitOverride();
  registerRoute(program);
  registerPlan(program);
  registerUpgrade(program);
  registerValidate(program);
  registerSimulate(program);
  registerInit(program);
  registerRunner(program);
  registerStatus(program);
  registerDiagnose(program);
  return program;
}

// A reader that stops early (`drover plan ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  // commander signals help/version and usage errors by throwing with its own exit code.
  const e = error as { code?: string; exitCode?: number };
  if (
    typeof e.exitCode === 'number' &&
    typeof e.code === 'string' &&
    e.code.startsWith('commander.')
  ) {
    const helpOrVersion =
      e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version' ||
      e.code === 'commander.help';
    process.exitCode = helpOrVersion ? 0 : 2;
  } else {
    const { reportError } = await import('./errors.js');
    process.exitCode = reportError(error, { json: process.argv.includes('--json') });
  }
}
