/**
 * The JSON Schema editors use for drover.yaml (`# yaml-language-server: $schema=...`),
 * generated from the same zod definition that validates it. schema/drover.schema.json holds it; `node scripts/gen-config-schema.mjs` rewrites it and a test keeps the two equal.
 */
import { z } from 'zod';
import { ConfigSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  // Input mode: fields with defaults are optional for the person writing the file.
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' });
  return { ...schema, title: 'Drover configuration (drover.yaml)' };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
