/**
 * The config's custom gates as engine checks: read the named resource through the Kubernetes
 * port and evaluate the gate's CEL expression over it. A missing resource or a failed read
 * throws, which the engine treats as unknown (wait, then block at the deadline): never a pass.
 */
import { DroverError } from '../../core/errors.js';
import type { CustomCheck } from '../../engine/context.js';
import { evaluateCelGate } from '../config/cel-expression.js';
import type { CustomGateConfig } from '../config/schema.js';

export function customChecksFrom(gates: readonly CustomGateConfig[]): Record<string, CustomCheck> {
  return Object.fromEntries(
    gates.map((gate): [string, CustomCheck] => [
      gate.name,
      async (ports) => {
        const object = await ports.kubernetes.getResource(
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
      },
    ]),
  );
}
