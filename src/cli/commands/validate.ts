// Placeholder registration; replaced by the command's real definition.
import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program.command('validate').description('(not yet implemented)');
}
