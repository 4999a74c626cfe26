import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.js';

describe('schema/drover.schema.json', () => {
  it('equals a fresh generation from the zod definition (run node scripts/gen-config-schema.mjs)', async () => {
    const committed: unknown = JSON.parse(
      await readFile(new URL('../../../schema/drover.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(configJsonSchema());
  });

  it('rejects unknown keys and requires what the loader requires', () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: { nodes: { items: { additionalProperties: boolean; required: string[] } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['cluster', 'terraform', 'schematics', 'nodes']),
    );
    expect(schema.properties.nodes.items.additionalProperties).toBe(false);
    expect(schema.properties.nodes.items.required).toEqual(['name', 'role', 'host', 'address']);
  });
});
