/**
 * Whether an image exists, by the OCI distribution API (opencontainers/distribution-spec
 * spec.md, end-3: `HEAD /v2/<name>/manifests/<reference>` answers 200 when the manifest exists,
 * 404 when it does not). The Accept header names the image index and manifest list types first:
 * the Image Factory and ghcr serve installers as multi-platform indexes, and a registry may
 * answer 404 to a client that does not accept the index type.
 *
 * Anonymous token auth as registries do it (distribution/distribution docs/spec/auth/token.md):
 * a 401 with `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` -> GET the realm with
 * service and scope -> `{ token }` (or `{ access_token }`) -> the HEAD again with the bearer.
 * Plain http only for loopback hosts (as container runtimes treat localhost), https otherwise.
 */
import type { ImagePresence, RegistryPort } from '../../ports/registry.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface ImageReference {
  host: string;
  name: string;
  /** A tag or a digest. */
  reference: string;
}

/** `factory.talos.dev/nocloud-installer/<id>:v1.11.0` -> host, repository name and tag. */
export function parseImageReference(image: string): ImageReference | undefined {
  const slash = image.indexOf('/');
  if (slash <= 0) return undefined;
  const host = image.slice(0, slash);
  const rest = image.slice(slash + 1);
  const at = rest.indexOf('@');
  if (at > 0) return { host, name: rest.slice(0, at), reference: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  if (colon <= 0 || rest.slice(colon).includes('/')) return undefined;
  return { host, name: rest.slice(0, colon), reference: rest.slice(colon + 1) };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

export interface OciRegistryOptions {
  /** Per request (each HEAD and token fetch). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class OciRegistry implements RegistryPort {
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(options: OciRegistryOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async manifest(image: string, signal?: AbortSignal): Promise<ImagePresence> {
    const ref = parseImageReference(image);
    if (!ref) return { state: 'unreachable', reason: `"${image}" is not an image reference` };
    const scheme = LOOPBACK.test(ref.host) ? 'http' : 'https';
    const url = `${scheme}://${ref.host}/v2/${ref.name}/manifests/${ref.reference}`;
    try {
      let response = await this.head(url, undefined, signal);
      if (response.status === 401) {
        const token = await this.token(response.headers.get('www-authenticate'), signal);
        if (typeof token !== 'string') return token;
        response = await this.head(url, token, signal);
      }
      if (response.status === 200)
        return {
          state: 'present',
          ...(response.headers.get('docker-content-digest')
            ? { digest: response.headers.get('docker-content-digest')! }
            : {}),
        };
      if (response.status === 404) return { state: 'missing', status: 404 };
      return { state: 'unreachable', reason: `${ref.host} answered HTTP ${response.status}` };
    } catch (error) {
      return { state: 'unreachable', reason: `${ref.host}: ${messageOf(error)}` };
    }
  }

  private head(url: string, token: string | undefined, signal?: AbortSignal): Promise<Response> {
    return this.fetch(url, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: this.signal(signal),
    });
  }

  /** The anonymous bearer token the challenge asks for, or why there is none. */
  private async token(
    challenge: string | null,
    signal?: AbortSignal,
  ): Promise<string | ImagePresence> {
    const params = challenge ? parseBearerChallenge(challenge) : undefined;
    if (!params?.realm)
      return { state: 'unreachable', reason: 'HTTP 401 without a Bearer challenge' };
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const response = await this.fetch(url, { signal: this.signal(signal) });
    if (response.status !== 200)
      return {
        state: 'unreachable',
        reason: `token endpoint ${url.host} answered HTTP ${response.status}`,
      };
    const body = (await response.json()) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '')
      return { state: 'unreachable', reason: `token endpoint ${url.host} gave no token` };
    return token;
  }

  private signal(outer?: AbortSignal): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return outer ? AbortSignal.any([outer, timeout]) : timeout;
  }
}

/** `Bearer realm="https://auth",service="registry",scope="repository:x:pull"` -> its parameters. */
export function parseBearerChallenge(header: string): Record<string, string> | undefined {
  const match = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[1]!.matchAll(/([a-zA-Z_]+)="([^"]*)"/g))
    params[m[1]!.toLowerCase()] = m[2]!;
  return params;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}
