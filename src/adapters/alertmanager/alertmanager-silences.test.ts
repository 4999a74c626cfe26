/**
 * The Alertmanager adapter against a loopback Alertmanager (test/helpers/alertmanager-server.ts,
 * which encodes prometheus/alertmanager api/v2/openapi.yaml at 8046cfbd and silence.go's Set,
 * canUpdate and expire).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import { startAlertmanager } from '../../../test/helpers/alertmanager-server.js';
import type { AlertmanagerTestServer } from '../../../test/helpers/alertmanager-server.js';
import { AlertmanagerSilences } from './alertmanager-silences.js';
import type { AlertmanagerOptions } from './alertmanager-silences.js';

let now = Date.UTC(2026, 0, 5, 2);
let server: AlertmanagerTestServer;

beforeEach(async () => {
  now = Date.UTC(2026, 0, 5, 2);
  server = await startAlertmanager({ now: () => now, bearerToken: 'token-abcdef' });
});
afterEach(() => server.stop());

const adapter = (overrides: Partial<AlertmanagerOptions> = {}) =>
  new AlertmanagerSilences({
    url: server.url,
    matchers: [{ name: 'cluster', value: 'homelab', isRegex: false, isEqual: true }],
    durationSeconds: 1800,
    onCreateFailure: 'refuse',
    createdBy: 'drover',
    timeoutSeconds: 5,
    auth: { bearerToken: 'token-abcdef' },
    redactor: new Redactor(),
    ...overrides,
  });

const window = (minutes: number) => ({
  startsAt: now,
  endsAt: now + minutes * 60_000,
  comment: 'Drover test run',
});

describe('AlertmanagerSilences (API v2 against a loopback Alertmanager)', () => {
  it('creates, extends in place (same id, same startsAt) and expires', async () => {
    const am = adapter();
    const id = await am.create(window(30));
    expect(server.state(id)).toBe('active');
    const startsAt = server.silences.get(id)?.startsAt;
    now += 10 * 60_000;
    const extended = await am.extend(id, window(30));
    expect(extended).toBe(id);
    expect(server.silences.get(id)?.startsAt).toBe(startsAt);
    expect(server.silences.get(id)?.endsAt).toBe(now + 30 * 60_000);
    await am.expire(id);
    expect(server.state(id)).toBe('expired');
    // Expiring again (the server answers 500 "already expired") is done, not an error.
    await am.expire(id);
    expect(server.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 200',
      'GET 200',
      'POST 200',
      'DELETE 200',
      'DELETE 500',
      'GET 200',
    ]);
  });

  it('a silence someone expired by hand is not silenced again', async () => {
    const am = adapter();
    const id = await am.create(window(30));
    now += 60_000;
    server.silences.get(id)!.endsAt = now;
    now += 1000;
    await expect(am.extend(id, window(30))).rejects.toMatchObject({
      code: 'SILENCE_EXPIRED_ELSEWHERE',
    });
    expect(server.silences.size).toBe(1);
    await expect(am.expire(id)).resolves.toBeUndefined();
  });

  it('an unknown id is a 404 on extend and done on expire', async () => {
    const am = adapter();
    await expect(am.extend('00000000-0000-0000-0000-000000000000', window(30))).rejects.toThrow(
      /HTTP 404/,
    );
    await expect(am.expire('00000000-0000-0000-0000-000000000000')).resolves.toBeUndefined();
  });

  it('a wrong token is refused (401) with a hint about the auth variable, and the token never shows', async () => {
    const redactor = new Redactor();
    redactor.add('wrong-token-123');
    const am = adapter({ auth: { bearerToken: 'wrong-token-123' }, redactor });
    const error = await am.create(window(30)).catch((e: unknown) => e);
    expect(String(error)).toContain('HTTP 401');
    expect((error as { hint?: string }).hint).toContain('bearerTokenEnv');
    expect(String(error)).not.toContain('wrong-token-123');
  });

  it('the server is strict: an end in the past and matchers that match everything are 400s', async () => {
    const am = adapter({ matchers: [{ name: 'x', value: '.*', isRegex: true, isEqual: true }] });
    await expect(am.create(window(30))).rejects.toThrow(/must not match the empty string/);
    await expect(adapter().create({ ...window(30), endsAt: now - 1000 })).rejects.toThrow(
      /HTTP 400/,
    );
  });

  it('a server that does not answer is ALERTMANAGER_UNREACHABLE', async () => {
    const url = server.url;
    await server.stop();
    const error = await adapter({ url })
      .create(window(30))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ALERTMANAGER_UNREACHABLE' });
    server = await startAlertmanager();
  });
});
