/**
 * Maps a request path to what it names: a resource collection or object (with namespace and
 * subresource), or a non-resource path (discovery, health, version).
 */
import { findResource, type ResourceDef } from './resources.js';

export interface ResourcePath {
  def: ResourceDef;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] as string;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    version = parts[2] as string;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    findResource(group, version, rest[2] as string)
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  const def = findResource(group, version, plural);
  if (!def) return undefined;
  if (def.namespaced === false && namespace !== undefined) return undefined;
  return { def, namespace, name, subresource };
}

/** The label a request is counted under, e.g. `GET nodes`, `WATCH pods`, `POST eviction`. */
export function requestKind(method: string, pathname: string, query: URLSearchParams): string {
  const r = parseResourcePath(pathname);
  if (!r) {
    if (pathname === '/api' || pathname.startsWith('/api/') || pathname.startsWith('/apis'))
      return `${method} discovery`;
    return `${method} ${pathname}`;
  }
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  let verb = method;
  if (method === 'GET' && r.name === undefined) verb = watch ? 'WATCH' : 'LIST';
  if (r.subresource === 'eviction') return `${verb} eviction`;
  return `${verb} ${r.def.plural}${r.subresource ? `/${r.subresource}` : ''}`;
}
