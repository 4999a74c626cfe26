/**
 * A loopback OCI registry for tests: `HEAD /v2/<name>/manifests/<reference>` answers 200 (with
 * Docker-Content-Digest and the index media type) for the images it holds and 404 otherwise
 * (opencontainers/distribution-spec spec.md end-3), and only to a client whose Accept names the
 * index types, as ghcr does for multi-platform indexes. With `auth: 'token'` it challenges
 * anonymous requests as factory.talos.dev and ghcr.io do (distribution/distribution
 * docs/spec/auth/token.md): 401 + `WWW-Authenticate: Bearer realm,service,scope`, a token from
 * the realm for that scope, and 401 again for a wrong token.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackRegistry {
  /** `127.0.0.1:<port>`: the host part of image references. */
  host: string;
  /** Every request, `METHOD path` (the token fetch included). */
  requests: string[];
  add(name: string, tag: string): void;
  close(): Promise<void>;
}

const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export async function startLoopbackRegistry(
  options: { auth?: 'none' | 'token'; status?: number } = {},
): Promise<LoopbackRegistry> {
  const images = new Set<string>();
  const requests: string[] = [];
  const tokens = new Map<string, string>();
  let host = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${host}`);
    requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      if (url.searchParams.get('service') !== 'loopback-registry' || !scope.endsWith(':pull')) {
        res.writeHead(400).end();
        return;
      }
      const token = `t-${tokens.size + 1}`;
      tokens.set(token, scope);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m || (req.method !== 'HEAD' && req.method !== 'GET')) {
      res.writeHead(404).end();
      return;
    }
    const [, name, reference] = m as unknown as [string, string, string];
    if (options.status) {
      res.writeHead(options.status).end();
      return;
    }
    if (options.auth === 'token') {
      const scope = `repository:${name}:pull`;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || tokens.get(bearer) !== scope) {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="http://${host}/token",service="loopback-registry",scope="${scope}"`,
        });
        res.end();
        return;
      }
    }
    const accept = req.headers.accept ?? '';
    if (!images.has(`${name}:${reference}`) || !INDEX_TYPES.some((t) => accept.includes(t))) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      return;
    }
    res.writeHead(200, {
      'content-type': INDEX_TYPES[0],
      'docker-content-digest': `sha256:${'ab'.repeat(32)}`,
    });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    requests,
    add: (name, tag) => void images.add(`${name}:${tag}`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
