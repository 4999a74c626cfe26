import { describe, expect, it } from 'vitest';
import { Redactor } from '../../core/redact.js';
import { buildHookRunner, buildSilences, extrasText } from './build-extras.js';

const none = { beforeRun: [], afterRun: [], beforeDrain: [], afterUncordon: [] };
const am = {
  url: 'http://am:9093',
  matchers: [{ name: 'cluster', value: 'lab', isRegex: false, isEqual: true }],
  durationSeconds: 1800,
  onCreateFailure: 'refuse' as const,
  createdBy: 'drover',
  timeoutSeconds: 10,
  bearerTokenEnv: 'AM_TOKEN',
};

describe('build-extras', () => {
  it('no hooks and no alertmanager: no runner, no silence port, nothing to say', () => {
    expect(buildHookRunner(none, { redactor: new Redactor(), cwd: '.', env: {} })).toBeUndefined();
    expect(buildSilences(undefined, { redactor: new Redactor(), env: {} })).toBeUndefined();
    expect(extrasText({ hooks: none })).toBe('');
  });

  it('a token variable that is not set is bad input, named', () => {
    expect(() => buildSilences(am, { redactor: new Redactor(), env: {} })).toThrow(
      /AM_TOKEN is not set/,
    );
    expect(
      buildSilences(am, { redactor: new Redactor(), env: { AM_TOKEN: 'x-token-1234' } }),
    ).toMatchObject({
      durationSeconds: 1800,
      onCreateFailure: 'refuse',
    });
  });

  it('the dry run lists the hooks and the silence a real run would have', () => {
    const text = extrasText({
      hooks: { ...none, beforeRun: [{ command: ['./notify', 'start'], timeoutSeconds: 300 }] },
      alertmanager: am,
    });
    expect(text).toContain('hook beforeRun: ./notify start (timeout 300s)');
    expect(text).toContain('Alertmanager silence at http://am:9093 for cluster="lab", 1800s ahead');
  });
});
