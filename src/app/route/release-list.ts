/**
 * The release list the router's release gate reads (`drover route --release-list FILE`): YAML or
 * JSON, either a list or `{ releases: [...] }`, each entry `{ version, publishedAt }` with an ISO
 * 8601 time, e.g. from `gh release list -R siderolabs/talos --json tagName,publishedAt`
 * (`tagName` is accepted for `version`).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { DroverError } from '../../core/errors.js';
import type { Release } from '../../core/release-gate.js';
import { parseVersion } from '../../core/version.js';

const entry = z
  .object({
    version: z.string().optional(),
    tagName: z.string().optional(),
    publishedAt: z.union([z.string(), z.date()]),
  })
  .refine((e) => (e.version ?? e.tagName) !== undefined, 'needs version (or tagName)');
const listSchema = z.union([z.array(entry), z.object({ releases: z.array(entry) })]);

export async function loadReleaseList(file: string): Promise<Release[]> {
  const fail = (message: string, cause?: unknown) =>
    new DroverError('input', 'RELEASE_LIST_INVALID', `release list ${file}: ${message}`, {
      ...(cause ? { cause } : {}),
      hint: 'Give a YAML or JSON list of { version, publishedAt } (ISO 8601), see docs/router.md.',
    });
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fail('cannot be read', error);
  }
  let parsed: z.infer<typeof listSchema>;
  try {
    parsed = listSchema.parse(parse(text));
  } catch (error) {
    throw fail(
      error instanceof z.ZodError
        ? error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')
        : 'is not YAML or JSON',
      error,
    );
  }
  const entries = Array.isArray(parsed) ? parsed : parsed.releases;
  return entries.map((e, i) => {
    const raw = (e.version ?? e.tagName)!;
    const version = parseVersion(raw, { allowPrerelease: true });
    const publishedAt =
      e.publishedAt instanceof Date ? e.publishedAt.getTime() : Date.parse(e.publishedAt);
    if (!version.ok) throw fail(`entry ${i}: ${version.message}`);
    if (Number.isNaN(publishedAt)) throw fail(`entry ${i}: publishedAt is not an ISO 8601 time`);
    return { version: version.version.text, publishedAt };
  });
}
