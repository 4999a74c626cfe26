/**
 * schema/report.schema.json and the report Drover writes name the same top-level fields: a field
 * the code adds or drops without the schema (or the reverse) fails here. The simulate-only fields
 * (app/simulate/simulate-report.ts) are in the schema, described as such, and only in a simulation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateInProcess } from './helpers.js';

interface SchemaProperty {
  description?: string;
}
const schema = JSON.parse(
  readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'),
) as { properties: Record<string, SchemaProperty> };
const SIMULATE_ONLY = ['apiRequests', 'apiRequestsPerNode'];

describe('report schema drift', () => {
  it('the simulate-only fields are described as simulate only', () => {
    for (const field of SIMULATE_ONLY)
      expect(schema.properties[field]?.description, field).toMatch(/^Simulate only/);
    const others = Object.entries(schema.properties).filter(
      ([name]) => !SIMULATE_ONLY.includes(name),
    );
    for (const [name, property] of others)
      expect(property.description ?? '', name).not.toMatch(/simulate only/i);
  });

  it("the report's top-level fields are the schema's, less the simulate-only ones (api memory)", async () => {
    const { report } = await simulateInProcess({});
    const inSchema = Object.keys(schema.properties).filter((name) => !SIMULATE_ONLY.includes(name));
    expect(Object.keys(report).sort()).toEqual(inSchema.sort());
  });
});
