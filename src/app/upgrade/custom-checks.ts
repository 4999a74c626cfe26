/**
 * The config's custom gates as engine checks. A CEL gate reads the named resource through the
 * Kubernetes port and evaluates its expression over it: a missing resource or a failed read
 * throws, which the engine treats as unknown (wait, then block at the deadline), never a pass.
 * A command gate runs its command (adapters/hooks/command-gate.ts): its exit status decides.
 */
import { runCommandGate } from '../../adapters/hooks/command-gate.js';
import { findProgram } from '../../adapters/hooks/find-program.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import type { CustomCheck } from '../../engine/context.js';
import { evaluateCelGate } from '../config/cel-expression.js';
import type { CelGateConfig, CustomGateConfig } from '../config/gates-schema.js';

export interface CommandGateOptions {
  cluster: string;
  redactor: Redactor;
  /** Commands run here (the config's directory); with it, each program must exist up front. */
  cwd?: string;
  /** PATH for bare program names. */
  path?: string;
}

/** A command gate whose program cannot start would block every node: say so before the run. */
function checkPrograms(gates: readonly CustomGateConfig[], commands: CommandGateOptions): void {
  const { cwd } = commands;
  if (cwd === undefined) return;
  const missing = gates.flatMap((gate) =>
    'command' in gate && !findProgram(gate.command[0] ?? '', cwd, commands.path)
      ? [`${gate.name}: ${gate.command[0]}`]
      : [],
  );
  if (missing.length > 0)
    throw new DroverError(
      'input',
      'COMMAND_GATE_PROGRAM_NOT_FOUND',
      `command gate programs that cannot be started: ${missing.join(', ')}`,
      {
        hint: 'Nothing was touched. Install them on the runner or fix gates.custom[].command (paths are relative to the config file).',
      },
    );
}

function celCheck(gate: CelGateConfig): CustomCheck {
  return async (kubernetes) => {
    const object = await kubernetes.getResource(
      gate.apiVersion,
      gate.resource,
      gate.namespace,
      gate.resourceName,
    );
    if (object === undefined) {
      const where = gate.namespace ? `${gate.namespace}/` : '';
      throw new DroverError(
        'failed',
        'CUSTOM_GATE_OBJECT_MISSING',
        `custom gate ${gate.name}: ${gate.resource}.${gate.apiVersion} ${where}${gate.resourceName} does not exist`,
        {
          hint: `Check gates.custom[].resourceName and namespace of "${gate.name}" in the config.`,
        },
      );
    }
    return evaluateCelGate(gate.expression, object);
  };
}

export function customChecksFrom(
  gates: readonly CustomGateConfig[],
  commands?: CommandGateOptions,
): Record<string, CustomCheck> {
  if (commands) checkPrograms(gates, commands);
  return Object.fromEntries(
    gates.map((gate): [string, CustomCheck] => {
      if ('expression' in gate) return [gate.name, celCheck(gate)];
      return [
        gate.name,
        async (_ports, context) => {
          if (commands === undefined)
            throw new DroverError(
              'failed',
              'COMMAND_GATE_UNWIRED',
              `command gate ${gate.name} cannot run here`,
            );
          return runCommandGate(
            gate,
            {
              cluster: commands.cluster,
              ...(context?.node ? { node: context.node } : {}),
              ...(context?.signal ? { signal: context.signal } : {}),
            },
            { redactor: commands.redactor, ...(commands.cwd ? { cwd: commands.cwd } : {}) },
          );
        },
      ];
    }),
  );
}
