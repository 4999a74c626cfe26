// Placeholder registration; replaced by the command's real definition.
import type { Command } from 'commander';

export function registerInit(program: Command): void {
  program.command('init').description('(not yet implemented)');
}
