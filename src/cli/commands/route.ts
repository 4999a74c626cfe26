// Placeholder registration; replaced by the command's real definition.
import type { Command } from 'commander';

export function registerRoute(program: Command): void {
  program.command('route').description('(not yet implemented)');
}
