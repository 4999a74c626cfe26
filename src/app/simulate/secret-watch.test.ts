import { describe, expect, it } from 'vitest';
import { SecretWatch } from './secret-watch.js';

describe('SecretWatch (invariant no-secret-leaks)', () => {
  it('reports each place a served secret appeared in, once, and nothing for clean text', () => {
    const secrets = ['tok-3f9a7c1b2d', 'short'];
    const watch = new SecretWatch(
      () => secrets,
      () => 42,
    );
    watch.scan('the journal', '{"step":"apply-config","ok":true}');
    watch.scan('a progress event', 'value short is not a secret worth matching');
    expect(watch.violations()).toEqual([]);
    watch.scan('the journal', 'error: bad token tok-3f9a7c1b2d');
    watch.scan('the journal', 'again tok-3f9a7c1b2d');
    expect(watch.violations()).toEqual([
      {
        invariant: 'no-secret-leaks',
        at: 42,
        message: 'a secret the cluster served appeared in the journal',
      },
    ]);
  });
});
