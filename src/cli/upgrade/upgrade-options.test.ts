import { describe, expect, it } from 'vitest';
import { upgradeOptionsFrom } from './upgrade-options.js';

describe('upgradeOptionsFrom', () => {
  it('carries --outside-window (commander camel-cases it) and leaves it out when absent', () => {
    const base = { config: 'drover.yaml', to: '1.11.0' };
    expect(upgradeOptionsFrom({ ...base, outsideWindow: 'wait' }).outsideWindow).toBe('wait');
    expect(upgradeOptionsFrom({ ...base, outsideWindow: 'exit' }).outsideWindow).toBe('exit');
    expect('outsideWindow' in upgradeOptionsFrom(base)).toBe(false);
  });
});
