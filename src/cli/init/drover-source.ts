/**
 * Where Drover comes from, chosen once: a GitHub repository and a release tag that carries the
 * built bundle (the release workflow builds dist/ and tags it). The router's action and the
 * runner image's build stage both use this one reference, so they run the same Drover.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DroverError } from '../../core/errors.js';

export interface DroverSource {
  repo: string;
  ref: string;
}

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const REF = /^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/;

/** `--action OWNER/REPO[@REF]`, else the package's `repository`; the ref defaults to v<version>. */
export function resolveDroverSource(flag: string | undefined, packageRoot: string): DroverSource {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
    repository?: string | { url?: string };
  };
  const tag = `v${pkg.version}`;
  if (flag !== undefined) {
    const [repo = '', ref = tag, ...rest] = flag.split('@');
    if (!REPO.test(repo) || !REF.test(ref) || rest.length > 0) {
      throw new DroverError(
        'usage',
        'ACTION_REF_INVALID',
        `--action: "${flag}" is not OWNER/REPO[@REF]`,
        {
          hint: `Example: --action my-org/drover (uses the release tag ${tag}) or --action my-org/drover@${tag}`,
        },
      );
    }
    return { repo, ref };
  }
  const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const match = url ? /github(?:\.com[/:]|:)([^/]+\/[^/.#]+)/.exec(url) : null;
  if (match?.[1] !== undefined) return { repo: match[1], ref: tag };
  throw new DroverError(
    'usage',
    'DROVER_SOURCE_REQUIRED',
    'init needs to know where Drover is released: the router runs its action from there and the runner builds it from there',
    {
      hint: `Give --action OWNER/REPO: the repository whose release workflow published tag ${tag}.`,
    },
  );
}

export const actionRef = (s: DroverSource): string => `${s.repo}@${s.ref}`;
export const gitContext = (s: DroverSource): string => `https://github.com/${s.repo}.git#${s.ref}`;
