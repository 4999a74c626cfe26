// Placeholder registration; replaced by the command's real definition.
import type { Command } from 'commander';

export function registerPlan(program: Command): void {
  program.command('plan').description('(not yet implemented)');
}
