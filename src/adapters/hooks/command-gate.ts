/**
 * A command gate: a command whose exit status decides (core/command-gate.ts has the mapping).
 * It runs through the exec chokepoint with its timeout and the run's signal; its context goes in
 * the environment: DROVER_GATE, DROVER_CLUSTER and, before a node goes, DROVER_NODE.
 */
import { commandGateDecision } from '../../core/command-gate.js';
import type { GateDecision } from '../../core/gates.js';
import type { Redactor } from '../../core/redact.js';
import { runOperatorCommand } from './run-command.js';

export interface CommandGateSpec {
  name: string;
  command: readonly string[];
  timeoutSeconds: number;
  waitExitCodes: readonly number[];
}

export async function runCommandGate(
  gate: CommandGateSpec,
  context: { cluster: string; node?: string; signal?: AbortSignal },
  options: { redactor: Redactor; cwd?: string; env?: Record<string, string> },
): Promise<GateDecision> {
  const run = await runOperatorCommand(gate, {
    env: {
      ...options.env,
      DROVER_GATE: gate.name,
      DROVER_CLUSTER: context.cluster,
      ...(context.node ? { DROVER_NODE: context.node } : {}),
    },
    redactor: options.redactor,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  });
  return commandGateDecision(
    gate.name,
    {
      exitCode: run.exitCode,
      outputTail: run.outputTail,
      ...(run.error ? { error: run.error } : {}),
    },
    gate.waitExitCodes,
  );
}
