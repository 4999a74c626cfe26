// Placeholder registration; replaced by the command's real definition.
import type { Command } from 'commander';

export function registerSimulate(program: Command): void {
  program.command('simulate').description('(not yet implemented)');
}
