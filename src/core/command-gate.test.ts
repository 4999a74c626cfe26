import { describe, expect, it } from 'vitest';
import { commandGateDecision } from './command-gate.js';

describe('commandGateDecision: exit status to pass / wait / block', () => {
  it('0 passes', () => {
    expect(commandGateDecision('g', { exitCode: 0, outputTail: 'fine' })).toEqual({
      verdict: 'pass',
    });
  });

  it('75 (EX_TEMPFAIL) waits by default, with the output in the reason', () => {
    expect(commandGateDecision('g', { exitCode: 75, outputTail: 'backup running\n' })).toEqual({
      verdict: 'wait',
      reason: 'command gate g exited 75 (wait): backup running',
    });
  });

  it('any other status blocks with COMMAND_GATE_BLOCKED, never a pass', () => {
    for (const exitCode of [1, 2, 74, 76, 137, 255])
      expect(commandGateDecision('g', { exitCode, outputTail: 'no' })).toMatchObject({
        verdict: 'block',
        code: 'COMMAND_GATE_BLOCKED',
      });
  });

  it('the wait codes are configurable (and 75 then blocks when not listed)', () => {
    expect(commandGateDecision('g', { exitCode: 3, outputTail: '' }, [3])).toMatchObject({
      verdict: 'wait',
    });
    expect(commandGateDecision('g', { exitCode: 75, outputTail: '' }, [3])).toMatchObject({
      verdict: 'block',
    });
  });

  it('no exit status (timeout, not found) is unknown: a wait, not a pass', () => {
    expect(
      commandGateDecision('g', {
        exitCode: undefined,
        outputTail: '',
        error: 'timed out after 5 s',
      }),
    ).toEqual({
      verdict: 'wait',
      reason: 'command gate g did not finish (unknown): timed out after 5 s',
    });
  });
});
