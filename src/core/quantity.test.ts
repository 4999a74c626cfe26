import { describe, expect, it } from 'vitest';
import { cpuMillis, memoryBytes, quantityValue } from './quantity.js';

describe('Kubernetes quantities', () => {
  it.each([
    ['500m', 500],
    ['1.5', 1500],
    ['2', 2000],
    ['0.1m', 1],
    ['100u', 1],
    ['1e-3', 1],
    ['.5', 500],
  ])('CPU %s is %i millicores', (q, millis) => {
    expect(cpuMillis(q)).toBe(millis);
  });

  it.each([
    ['2Gi', 2 * 2 ** 30],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['123Mi', 123 * 2 ** 20],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1k', 1000],
  ])('memory %s is %i bytes', (q, bytes) => {
    expect(memoryBytes(q)).toBe(bytes);
  });

  it.each(['', 'abc', '1Xi', '1 Gi', 'Gi', '1.2.3', '1e3m'])('%j is unreadable, never 0', (q) => {
    expect(quantityValue(q)).toBeUndefined();
    expect(cpuMillis(q)).toBeUndefined();
  });
});
