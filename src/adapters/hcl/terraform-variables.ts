/**
 * Terraform variable values as Terraform itself sees them: the `default` of a `variable` block,
 * overridden by `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars(.json)` in
 * lexical order (later files win), all beside the variables file.
 */
import { DroverError } from '../../core/errors.js';
import { lineOfAssignment, lineOfVariableDefault } from './locate.js';
import { parseHcl } from './parse-hcl.js';

export interface ValueSource {
  /** Path as shown to the user (relative to the repository). */
  readonly file: string;
  /** 1-based line, or null when it could not be located. */
  readonly line: number | null;
}

export interface FoundValue {
  readonly value: unknown;
  readonly source: ValueSource;
}

export type VariableDeclaration =
  | { readonly declared: false }
  | { readonly declared: true; readonly default: FoundValue | null; readonly source: ValueSource };

/** Reads variable blocks once; answers for any number of names. */
export async function readVariableDeclarations(
  file: string,
  text: string,
): Promise<(name: string) => VariableDeclaration> {
  const parsed = await parseHcl(file, text);
  const variables = asRecord(parsed.variable);
  return (name) => {
    const blocks = variables[name];
    if (!Array.isArray(blocks) || blocks.length === 0) return { declared: false };
    if (blocks.length > 1) {
      throw new DroverError(
        'input',
        'VARIABLE_DECLARED_TWICE',
        `${file}: variable "${name}" is declared ${blocks.length} times`,
        {
          hint: 'Terraform rejects duplicate variable blocks; keep one',
        },
      );
    }
    const block = asRecord(blocks[0]);
    const line = lineOfVariableDefault(text, name);
    const source = { file, line };
    return {
      declared: true,
      source,
      default: 'default' in block ? { value: block.default, source } : null,
    };
  };
}

/** The top-level assignments of a `.tfvars` (HCL) or `.tfvars.json` file. */
export async function readTfvars(
  file: string,
  text: string,
): Promise<(name: string) => FoundValue | null> {
  let values: Record<string, unknown>;
  if (file.endsWith('.json')) {
    try {
      values = asRecord(JSON.parse(text));
    } catch (error) {
      throw new DroverError('input', 'TFVARS_SYNTAX', `${file} is not valid JSON`, {
        cause: error,
      });
    }
  } else {
    values = await parseHcl(file, text);
  }
  return (name) =>
    Object.prototype.hasOwnProperty.call(values, name)
      ? { value: values[name], source: { file, line: lineOfAssignment(text, name) } }
      : null;
}

/** Which of `names` Terraform loads automatically, in the order it applies them. */
export function tfvarsLoadOrder(names: readonly string[]): string[] {
  const fixed = ['terraform.tfvars', 'terraform.tfvars.json'].filter((n) => names.includes(n));
  const auto = names
    .filter((n) => n.endsWith('.auto.tfvars') || n.endsWith('.auto.tfvars.json'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...fixed, ...auto];
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
