// Placeholder registration; replaced by the command's real definition.
import type { Command } from 'commander';

export function registerUpgrade(program: Command): void {
  program.command('upgrade').description('(not yet implemented)');
}
