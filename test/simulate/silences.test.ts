/**
 * Alertmanager silences for the run's duration, on the twin, against a loopback Alertmanager
 * (test/helpers/alertmanager-server.ts: prometheus/alertmanager api/v2/openapi.yaml at
 * 8046cfbd, silence.go Set/canUpdate/expire) that keeps the run's virtual time: created before
 * the first node, extended while the run lasts, expired on success, failure and abort.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertmanagerSilences } from '../../src/adapters/alertmanager/alertmanager-silences.js';
import { Redactor } from '../../src/core/redact.js';
import type { Clock, SilenceCreateFailureMode } from '../../src/ports/index.js';
import { startAlertmanager } from '../helpers/alertmanager-server.js';
import type { AlertmanagerTestServer } from '../helpers/alertmanager-server.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();
let server: AlertmanagerTestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** A loopback Alertmanager on the run's virtual clock, and the adapter pointed at it. */
async function alertmanager(onCreateFailure: SilenceCreateFailureMode = 'refuse') {
  let clock: Clock | undefined;
  const am = await startAlertmanager({
    now: () => clock?.now() ?? Date.now(),
    bearerToken: 'am-token-0123456789',
  });
  server = am;
  const silences = (c: Clock) => {
    clock = c;
    return new AlertmanagerSilences({
      url: am.url,
      matchers: [{ name: 'cluster', value: 'homelab', isRegex: false, isEqual: true }],
      // Hours ahead: one virtual jump (a long apply) never outruns a request in flight.
      durationSeconds: 3 * 3600,
      onCreateFailure,
      createdBy: 'drover',
      timeoutSeconds: 10,
      auth: { bearerToken: 'am-token-0123456789' },
      redactor: new Redactor(),
    });
  };
  return { am, silences };
}

const creates = (am: AlertmanagerTestServer) =>
  am.requests.filter((r) => r.method === 'POST' && r.body?.id === undefined);
const extensions = (am: AlertmanagerTestServer) =>
  am.requests.filter((r) => r.method === 'POST' && r.body?.id !== undefined && r.status === 200);
const deletes = (am: AlertmanagerTestServer) => am.requests.filter((r) => r.method === 'DELETE');

function expectCreatedExtendedExpired(am: AlertmanagerTestServer, minExtensions: number) {
  expect(creates(am)).toHaveLength(1);
  const [created] = creates(am);
  expect(created?.status).toBe(200);
  expect(extensions(am).length).toBeGreaterThanOrEqual(minExtensions);
  // Extended in place: one silence the whole run, whose end moved forward.
  expect(am.silences.size).toBe(1);
  const [id] = [...am.silences.keys()];
  expect(extensions(am).every((r) => r.body?.id === id)).toBe(true);
  expect(deletes(am).map((r) => `${r.path} ${r.status}`)).toEqual([`/api/v2/silence/${id} 200`]);
  expect(am.state(id!)).toBe('expired');
  // Nothing after the expiry: the silence is not extended again behind the operator's back.
  expect(am.requests.at(-1)?.method).toBe('DELETE');
  return id!;
}

describe('Alertmanager silences for the run', () => {
  it('success: created before the first node, extended while the run lasts, expired at the end', async () => {
    const { am, silences } = await alertmanager();
    const file = scenarioFile(dir, 'silence-success', () => undefined);
    const auditFile = join(dir, 'silence-success.audit.jsonl');
    const { report, exitCode } = await simulateInProcess({
      scenarioFile: file,
      silences,
      auditFile,
    });
    expect(exitCode).toBe(0);
    const id = expectCreatedExtendedExpired(am, 1);
    // In place before the run's first action (virtual time may pass while it is in flight).
    const actions = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { operation: string; at: number })
      .filter((r) => !r.operation.startsWith('silences.'));
    expect(actions.length).toBeGreaterThan(10);
    expect(creates(am)[0]!.at).toBeLessThanOrEqual(actions[0]!.at);
    expect(report.notes).toContain(`Alertmanager silence ${id} expired`);
    expect(String(creates(am)[0]!.body?.comment)).toContain(report.runId);
  });

  it('failure: a node fails for good; the silence is still expired', async () => {
    const { am, silences } = await alertmanager();
    const file = scenarioFile(dir, 'silence-failure', (s) => {
      s.faults = [
        { type: 'step-fails', action: 'apply-config', node: 'k8s-work-7', times: 'always' },
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, silences });
    expect(exitCode).toBe(1);
    expect(report.outcome).toBe('failed');
    expectCreatedExtendedExpired(am, 1);
  });

  it('abort (SIGTERM): the run stops at a safe point and the silence is expired', async () => {
    const { am, silences } = await alertmanager();
    const controller = new AbortController();
    // Abort once the silence has been extended twice: well into the control plane.
    am.onRequest = () => {
      if (extensions(am).length === 2) controller.abort(new Error('received SIGTERM'));
    };
    const file = scenarioFile(dir, 'silence-abort', (s) => {
      s.hooks = [
        {
          point: 'after-run',
          command: ['announce-end'],
          durationSeconds: 1,
          timeoutSeconds: 300,
          output: '',
        },
      ];
    });
    const auditFile = join(dir, 'silence-abort.audit.jsonl');
    const { report, exitCode } = await simulateInProcess({
      scenarioFile: file,
      silences,
      signal: controller.signal,
      auditFile,
    });
    expect(report.outcome).toBe('aborted');
    expect(exitCode).toBe(1);
    expectCreatedExtendedExpired(am, 2);
    // The after-run hook ran too, told the run was aborted, before the silence was expired.
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { operation: string; inputs: Record<string, unknown> });
    const afterRun = audit.findIndex((r) => r.operation === 'hooks.after-run');
    expect(audit[afterRun]?.inputs).toEqual({ outcome: 'aborted' });
    expect(audit.findIndex((r) => r.operation === 'silences.expire')).toBeGreaterThan(afterRun);
  });

  it('a silence that cannot be created refuses the run (exit 3) before anything is touched', async () => {
    const { am, silences } = await alertmanager('refuse');
    am.failNext('POST', 503);
    const file = scenarioFile(dir, 'silence-refused', (s) => {
      s.hooks = [
        {
          point: 'after-run',
          command: ['announce-end'],
          durationSeconds: 1,
          timeoutSeconds: 300,
          output: '',
        },
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, silences });
    expect(exitCode).toBe(3);
    expect(report.failure?.code).toBe('SILENCE_CREATE_FAILED');
    expect(report.failure?.message).toContain('HTTP 503');
    expect(report.nodes.every((n) => n.steps.length === 0)).toBe(true);
    // No before-run hook was started, so no after-run hook is owed.
    expect(report.notes.join('\n')).not.toContain('hook after-run');
    expect(am.requests).toHaveLength(1);
  });

  it('onCreateFailure: warn runs without the silence and says so', async () => {
    const { am, silences } = await alertmanager('warn');
    am.failNext('POST', 503);
    const file = scenarioFile(dir, 'silence-warn', () => undefined);
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, silences });
    expect(exitCode).toBe(0);
    expect(report.notes.join('\n')).toContain('could not create the Alertmanager silence');
    expect(am.requests).toHaveLength(1);
  });
});
