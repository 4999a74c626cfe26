import { describe, expect, it } from 'vitest';
import { DroverError } from './errors.js';
import { installerImage } from './installer-image.js';
import type { InstallerPlatform } from './inventory.js';

const HEX = 'cd5900332cb7ef20bc029f74d8fb73834cdd6056f3819256874a9ab05663cd76';

describe('installerImage', () => {
  it.each<[string, InstallerPlatform, string, string]>([
    ['nocloud VM', 'nocloud', '1.11.0', `factory.talos.dev/nocloud-installer/${HEX}:v1.11.0`],
    ['metal ISO', 'metal', '1.10.8', `factory.talos.dev/metal-installer/${HEX}:v1.10.8`],
    [
      'a leading v is not doubled',
      'nocloud',
      'v1.11.2',
      `factory.talos.dev/nocloud-installer/${HEX}:v1.11.2`,
    ],
  ])('%s', (_name, platform, version, expected) => {
    expect(installerImage({ name: 'n', platform, schematic: HEX }, version)).toBe(expected);
  });

  it.each(['', 'a/b', 'abc:v1', 'has space'])('refuses the schematic %j', (schematic) => {
    expect(() => installerImage({ name: 'n', platform: 'metal', schematic }, '1.11.0')).toThrow(
      DroverError,
    );
  });
});
