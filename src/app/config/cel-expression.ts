/**
 * Custom gates are CEL expressions over `object`, the Kubernetes resource read as JSON. They
 * are parsed and type-checked when the config loads, so a typo fails the run before any node
 * is touched rather than at the first gate, hours in.
 */
import { Environment } from '@marcbachmann/cel-js';

/** The variable a custom gate's expression sees: the resource as JSON. */
export const CEL_OBJECT_VARIABLE = 'object';

function environment(): Environment {
  return new Environment().registerVariable(CEL_OBJECT_VARIABLE, 'map');
}

/** Undefined when the expression parses, references only `object` and can yield a bool; else why not. */
export function celExpressionProblem(expression: string): string | undefined {
  let checked: { valid: boolean; type?: string; error?: { message?: string } };
  try {
    checked = environment().parse(expression).check() as typeof checked;
  } catch (error) {
    return `does not parse as CEL: ${firstLine(error)}`;
  }
  if (!checked.valid) return `is not valid CEL: ${firstLine(checked.error)}`;
  if (checked.type !== 'bool' && checked.type !== 'dyn')
    return `must evaluate to a bool (true means pass), but yields ${checked.type}`;
  return undefined;
}

/** Evaluates a loaded gate's expression; a non-bool result is an error, never a pass. */
export function evaluateCelGate(expression: string, object: Record<string, unknown>): boolean {
  const result: unknown = environment().evaluate(expression, { [CEL_OBJECT_VARIABLE]: object });
  if (typeof result !== 'boolean')
    throw new Error(`the expression yielded ${typeof result}, not a bool`);
  return result;
}

function firstLine(error: unknown): string {
  const message =
    error && typeof error === 'object' && 'message' in error
      ? String((error as { message: unknown }).message)
      : String(error);
  return message.split('\n')[0] ?? message;
}
