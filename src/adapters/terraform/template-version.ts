/**
 * Which Talos version a template resource was built for. Real repositories record it in
 * different places, so we look, in this order, on every managed resource under the address:
 *   1. an attribute `talos_version` (e.g. a custom provider's field);
 *   2. `talos_version` inside the object attributes `input`, `triggers_replace`, `triggers`
 *      (terraform_data / null_resource carrying the version);
 *   3. a `tags` list entry like `talos-v1.10.8` or `talos-1.10.8` (bpg/proxmox VM templates);
 *   4. the `name` or `description` containing `talos-v1.10.8` / `talos v1.10.8`.
 * The first match wins; the version is returned without a leading `v`. None: undefined.
 */
import { isRecord } from './json-stream.js';
import type { StateResource } from './show-json.js';

const VERSION = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;
// Embedded in free text only the Talos pre-release forms count, so `talos-1.11.2-baldar` reads 1.11.2.
const EMBEDDED = /talos[-_ ]v?(\d+\.\d+\.\d+(?:-(?:alpha|beta|rc)(?:\.\d+)?)?)/i;

export function templateVersionOf(resources: readonly StateResource[]): string | undefined {
  const managed = resources.filter((r) => r.mode === 'managed');
  for (const find of [direct, nested, fromTags, fromText]) {
    for (const resource of managed) {
      const version = find(resource.values);
      if (version) return version;
    }
  }
  return undefined;
}

function normalise(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return VERSION.exec(value.trim())?.[1];
}

function direct(values: Record<string, unknown>): string | undefined {
  return normalise(values.talos_version);
}

function nested(values: Record<string, unknown>): string | undefined {
  for (const key of ['input', 'triggers_replace', 'triggers']) {
    const inner = values[key];
    if (isRecord(inner)) {
      const version = normalise(inner.talos_version);
      if (version) return version;
    }
  }
  return undefined;
}

function fromTags(values: Record<string, unknown>): string | undefined {
  if (!Array.isArray(values.tags)) return undefined;
  for (const tag of values.tags) {
    if (typeof tag !== 'string') continue;
    const match = EMBEDDED.exec(tag);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function fromText(values: Record<string, unknown>): string | undefined {
  for (const key of ['name', 'description']) {
    const text = values[key];
    if (typeof text !== 'string') continue;
    const match = EMBEDDED.exec(text);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
