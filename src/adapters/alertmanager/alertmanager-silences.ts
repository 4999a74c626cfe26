/**
 * Alertmanager silences over its API v2 (prometheus/alertmanager api/v2/openapi.yaml):
 * - POST /api/v2/silences creates a silence, or updates one when the body carries `id`; the
 *   answer is `{ silenceID }`. An update Alertmanager cannot make in place (other matchers, an
 *   active silence's startsAt moved, an expired silence) expires the old one and answers a NEW
 *   id; an unknown id is a 404. So an extension reads the silence first and keeps its startsAt
 *   and matchers, and always takes the id it is given back; a silence someone expired by hand
 *   is not brought back (SILENCE_EXPIRED_ELSEWHERE).
 * - GET /api/v2/silence/{id} reads one (status.state: active, pending, expired).
 * - DELETE /api/v2/silence/{id} expires it; older releases answer an error for a silence that
 *   is already expired, newer ones 200, and 404 for one that is gone: all three mean done.
 * Auth is optional: a bearer token or `user:password` for basic auth, from an environment
 * variable (registered as a secret by the caller).
 */
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import type { SilenceCreateFailureMode, SilencePort, SilenceWindow } from '../../ports/silences.js';

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface AlertmanagerOptions {
  /** Base URL, e.g. http://alertmanager.monitoring:9093 (a path prefix is kept). */
  url: string;
  matchers: readonly SilenceMatcher[];
  durationSeconds: number;
  onCreateFailure: SilenceCreateFailureMode;
  createdBy: string;
  /** Per request. */
  timeoutSeconds: number;
  auth?: { bearerToken: string } | { basic: string };
  redactor: Redactor;
}

interface GettableSilence {
  id: string;
  status: { state: string };
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
}

export class AlertmanagerSilences implements SilencePort {
  readonly durationSeconds: number;
  readonly onCreateFailure: SilenceCreateFailureMode;
  readonly description: string;

  constructor(private readonly options: AlertmanagerOptions) {
    this.durationSeconds = options.durationSeconds;
    this.onCreateFailure = options.onCreateFailure;
    const matchers = options.matchers
      .map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`)
      .join(',');
    this.description = `${options.url} {${matchers}}`;
  }

  async create(window: SilenceWindow): Promise<string> {
    return this.post({
      matchers: this.options.matchers,
      ...this.times(window),
      createdBy: this.options.createdBy,
      comment: window.comment,
    });
  }

  async extend(id: string, window: SilenceWindow): Promise<string> {
    const current = await this.get(id);
    // Someone expired it by hand: they want the alerts back. Alertmanager would answer a new
    // silence under a new id; Drover does not silence again behind their back.
    if (current?.status.state === 'expired')
      throw new DroverError(
        'failed',
        'SILENCE_EXPIRED_ELSEWHERE',
        `Alertmanager silence ${id} was expired outside Drover`,
      );
    return this.post({
      id,
      // Unchanged matchers and startsAt: Alertmanager updates the active silence in place.
      matchers: current?.matchers ?? this.options.matchers,
      startsAt: current?.startsAt ?? new Date(window.startsAt).toISOString(),
      endsAt: new Date(window.endsAt).toISOString(),
      createdBy: this.options.createdBy,
      comment: window.comment,
    });
  }

  async expire(id: string): Promise<void> {
    const response = await this.request('DELETE', `silence/${encodeURIComponent(id)}`);
    if (response.status === 200 || response.status === 404) return;
    // Older releases refuse to expire an expired silence: read it before calling that a failure.
    const current = await this.get(id);
    if (current === undefined || current.status.state === 'expired') return;
    throw this.error('expire', response.status, response.text);
  }

  private times(window: SilenceWindow) {
    return {
      startsAt: new Date(window.startsAt).toISOString(),
      endsAt: new Date(window.endsAt).toISOString(),
    };
  }

  private async get(id: string): Promise<GettableSilence | undefined> {
    const response = await this.request('GET', `silence/${encodeURIComponent(id)}`);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.error('read', response.status, response.text);
    return JSON.parse(response.text) as GettableSilence;
  }

  private async post(body: Record<string, unknown>): Promise<string> {
    const response = await this.request('POST', 'silences', body);
    if (response.status !== 200) throw this.error('post', response.status, response.text);
    const parsed = JSON.parse(response.text) as { silenceID?: unknown };
    if (typeof parsed.silenceID !== 'string' || parsed.silenceID === '')
      throw this.error('post', response.status, 'the answer has no silenceID');
    return parsed.silenceID;
  }

  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> {
    const base = this.options.url.replace(/\/+$/, '');
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const auth = this.options.auth;
    if (auth && 'bearerToken' in auth) headers.authorization = `Bearer ${auth.bearerToken}`;
    if (auth && 'basic' in auth)
      headers.authorization = `Basic ${Buffer.from(auth.basic).toString('base64')}`;
    try {
      const response = await fetch(`${base}/api/v2/${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutSeconds * 1000),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw new DroverError(
        'failed',
        'ALERTMANAGER_UNREACHABLE',
        this.options.redactor.redact(
          `Alertmanager at ${this.options.url} did not answer ${method} ${path}: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }

  private error(action: string, status: number, text: string): DroverError {
    return new DroverError(
      'failed',
      'ALERTMANAGER_ERROR',
      this.options.redactor.redact(
        `Alertmanager at ${this.options.url} refused to ${action} the silence: HTTP ${status}: ${text.trim().slice(0, 300)}`,
      ),
      {
        hint:
          status === 401 || status === 403
            ? 'Check alertmanager.bearerTokenEnv / basicAuthEnv and the variable it names.'
            : 'Check alertmanager.url and matchers in the config.',
        details: { status },
      },
    );
  }
}
