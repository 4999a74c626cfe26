/**
 * HashiCorp's own HCL grammar (Go's parser as WebAssembly, via @cdktn/hcl2json). The package
 * loads a ~2 MB wasm when imported, so it is imported here on first use only, never at the top
 * level of anything on the path of `drover --help`.
 */
import type * as Hcl2JsonModule from '@cdktn/hcl2json';
import { DroverError } from '../../core/errors.js';

type Hcl2Json = typeof Hcl2JsonModule;
let loaded: Promise<Hcl2Json> | undefined;

export async function parseHcl(fileName: string, text: string): Promise<Record<string, unknown>> {
  loaded ??= import('@cdktn/hcl2json');
  const module = await loaded;
  // A CommonJS package: Node and bundlers differ on whether named exports are hoisted.
  const parse =
    module.parse ?? (module as unknown as { default?: Pick<Hcl2Json, 'parse'> }).default?.parse;
  if (typeof parse !== 'function') {
    throw new DroverError('failed', 'HCL_PARSER_UNAVAILABLE', 'the HCL parser did not load');
  }
  try {
    return (await parse(fileName, text)) as Record<string, unknown>;
  } catch (error) {
    throw new DroverError(
      'input',
      'HCL_SYNTAX',
      `${fileName} is not valid HCL: ${messageOf(error)}`,
      {
        hint: 'run `terraform fmt` or `terraform validate` on the file to see the problem',
        cause: error,
      },
    );
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^parse config: /, '');
}
