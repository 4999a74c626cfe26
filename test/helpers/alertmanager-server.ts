/**
 * A loopback Alertmanager for the silence tests: the silence endpoints of API v2, as strict as
 * the real server about bodies and transitions. Encodes prometheus/alertmanager
 * api/v2/openapi.yaml (postableSilence = optional id + matchers[minItems 1] {name, value,
 * isRegex required; isEqual default true}, startsAt, endsAt, createdBy, comment all required;
 * POST answers {silenceID}; 404 for an unknown id) and silence/silence.go (Set, canUpdate,
 * expire; read at 8046cfbd and later releases): an update keeps its id only when the matchers
 * are unchanged and, for an active silence, startsAt is unchanged and endsAt is not in the
 * past; otherwise the old silence is expired and a new id is answered. A startsAt in the past
 * becomes now. The API refuses endsAt before startsAt and endsAt in the past (400), and at least
 * one matcher must not match the empty string. Expiring an expired silence is an error here
 * (the older releases' 500 "already expired"), the harsher of the two behaviours.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoredSilence {
  id: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
  body?: Record<string, unknown>;
  at: number;
}

export interface AlertmanagerTestServer {
  url: string;
  silences: Map<string, StoredSilence>;
  requests: RecordedRequest[];
  state(id: string): 'active' | 'pending' | 'expired';
  /** Answer the next matching requests with this status (a down or broken server). */
  failNext(method: string, status: number, times?: number): void;
  /** Called after each request was answered. */
  onRequest?: (request: RecordedRequest) => void;
  stop(): Promise<void>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

class BadRequest extends Error {}

function isDateTime(value: unknown): value is string {
  return (
    typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value))
  );
}

function validate(body: unknown): Omit<StoredSilence, 'id' | 'updatedAt'> & { id?: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new BadRequest('body must be a postableSilence object');
  const b = body as Record<string, unknown>;
  for (const field of ['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment'])
    if (b[field] === undefined) throw new BadRequest(`${field} in body is required`);
  if (b.id !== undefined && typeof b.id !== 'string') throw new BadRequest('id must be a string');
  if (!Array.isArray(b.matchers) || b.matchers.length === 0)
    throw new BadRequest('matchers in body should have at least 1 items');
  const matchers = b.matchers.map((m: unknown, i) => {
    const x = (m ?? {}) as Record<string, unknown>;
    for (const field of ['name', 'value', 'isRegex'])
      if (x[field] === undefined)
        throw new BadRequest(`matchers.${i}.${field} in body is required`);
    if (typeof x.name !== 'string' || typeof x.value !== 'string' || typeof x.isRegex !== 'boolean')
      throw new BadRequest(`matchers.${i}: name and value must be strings, isRegex a boolean`);
    if (x.isEqual !== undefined && typeof x.isEqual !== 'boolean')
      throw new BadRequest(`matchers.${i}.isEqual must be a boolean`);
    if (!LABEL_NAME.test(x.name)) throw new BadRequest(`invalid label name "${x.name}"`);
    if (x.isRegex) {
      try {
        new RegExp(`^(?:${x.value})$`);
      } catch {
        throw new BadRequest(`invalid regular expression "${x.value}"`);
      }
    }
    return { name: x.name, value: x.value, isRegex: x.isRegex, isEqual: x.isEqual !== false };
  });
  const matchesEmpty = (m: (typeof matchers)[number]) => {
    const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test('') : m.value === '';
    return m.isEqual ? hit : !hit;
  };
  if (matchers.every(matchesEmpty))
    throw new BadRequest('at least one matcher must not match the empty string');
  if (!isDateTime(b.startsAt) || !isDateTime(b.endsAt))
    throw new BadRequest('startsAt and endsAt must be date-time strings');
  if (typeof b.createdBy !== 'string' || typeof b.comment !== 'string')
    throw new BadRequest('createdBy and comment must be strings');
  return {
    ...(typeof b.id === 'string' && b.id !== '' ? { id: b.id } : {}),
    matchers,
    startsAt: Date.parse(b.startsAt),
    endsAt: Date.parse(b.endsAt),
    createdBy: b.createdBy,
    comment: b.comment,
  };
}

export async function startAlertmanager(
  options: { now?: () => number; bearerToken?: string } = {},
): Promise<AlertmanagerTestServer> {
  const now = options.now ?? (() => Date.now());
  const silences = new Map<string, StoredSilence>();
  const requests: RecordedRequest[] = [];
  const failures: { method: string; status: number; times: number }[] = [];
  const state = (s: StoredSilence) =>
    s.endsAt <= now() ? 'expired' : s.startsAt > now() ? 'pending' : 'active';
  const expire = (s: StoredSilence) => {
    const t = now();
    if (state(s) === 'pending') s.startsAt = t;
    s.endsAt = t;
    s.updatedAt = t;
  };

  const handle = (method: string, path: string, body: unknown): [number, unknown] => {
    const failure = failures.find((f) => f.method === method && f.times > 0);
    if (failure) {
      failure.times--;
      return [failure.status, 'injected failure'];
    }
    if (method === 'POST' && path === '/api/v2/silences') {
      const sil = validate(body);
      if (sil.startsAt > sil.endsAt)
        throw new BadRequest('Failed to create silence: start time must be before end time');
      if (sil.endsAt < now())
        throw new BadRequest("Failed to create silence: end time can't be in the past");
      const prev = sil.id === undefined ? undefined : silences.get(sil.id);
      if (sil.id !== undefined && prev === undefined) return [404, 'silence not found'];
      if (prev) {
        const sameMatchers = JSON.stringify(prev.matchers) === JSON.stringify(sil.matchers);
        const st = state(prev);
        const canUpdate =
          sameMatchers &&
          (st === 'active'
            ? Math.floor(prev.startsAt / 1000) === Math.floor(sil.startsAt / 1000) &&
              sil.endsAt >= now()
            : st === 'pending'
              ? sil.startsAt >= now()
              : false);
        if (canUpdate) {
          Object.assign(prev, { ...sil, id: prev.id, updatedAt: now() });
          return [200, { silenceID: prev.id }];
        }
        if (st !== 'expired') expire(prev);
      }
      const id = randomUUID();
      silences.set(id, {
        ...sil,
        id,
        startsAt: Math.max(sil.startsAt, now()),
        updatedAt: now(),
      });
      return [200, { silenceID: id }];
    }
    const one = /^\/api\/v2\/silence\/([^/]+)$/.exec(path);
    if (one) {
      const sil = silences.get(decodeURIComponent(one[1] ?? ''));
      if (sil === undefined) return [404, ''];
      if (method === 'GET')
        return [
          200,
          {
            id: sil.id,
            status: { state: state(sil) },
            updatedAt: new Date(sil.updatedAt).toISOString(),
            matchers: sil.matchers,
            startsAt: new Date(sil.startsAt).toISOString(),
            endsAt: new Date(sil.endsAt).toISOString(),
            createdBy: sil.createdBy,
            comment: sil.comment,
          },
        ];
      if (method === 'DELETE') {
        if (state(sil) === 'expired') return [500, `silence ${sil.id} already expired`];
        expire(sil);
        return [200, ''];
      }
      return [405, 'method not allowed'];
    }
    return [404, 'not found'];
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      let status: number;
      let answer: unknown;
      let body: Record<string, unknown> | undefined;
      try {
        if (
          options.bearerToken !== undefined &&
          req.headers.authorization !== `Bearer ${options.bearerToken}`
        )
          [status, answer] = [401, 'unauthorized'];
        else {
          const text = Buffer.concat(chunks).toString('utf8');
          if (method === 'POST' && !/^application\/json/.test(req.headers['content-type'] ?? ''))
            throw new BadRequest('Content-Type must be application/json');
          const parsed: unknown = text === '' ? undefined : JSON.parse(text);
          body = parsed as Record<string, unknown> | undefined;
          [status, answer] = handle(method, path, parsed);
        }
      } catch (error) {
        status = 400;
        answer = error instanceof Error ? error.message : String(error);
      }
      const record: RecordedRequest = {
        method,
        path,
        status,
        at: now(),
        ...(body ? { body } : {}),
      };
      requests.push(record);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
      api.onRequest?.(record);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const api: AlertmanagerTestServer = {
    url: `http://127.0.0.1:${port}`,
    silences,
    requests,
    state: (id) => {
      const s = silences.get(id);
      if (s === undefined) throw new Error(`no silence ${id}`);
      return state(s);
    },
    failNext: (method, status, times = 1) => failures.push({ method, status, times }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
  return api;
}
