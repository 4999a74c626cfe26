/**
 * A small seeded PRNG (mulberry32): every bit of jitter in the simulated cluster comes from here,
 * so a run is the same for the same seed. Its state is one number, saved with the world.
 */
/** Seeds are 32-bit: a larger one would silently alias a smaller one. */
export const MAX_SEED = 0xffff_ffff;

export class SeededRandom {
  constructor(public state: number) {}

  static fromSeed(seed: number): SeededRandom {
    // Spread small seeds (0, 1, 2...) apart.
    return new SeededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x6d2b79f5);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** `base` scaled by a factor in [1 - spread, 1 + spread]. */
  jitter(base: number, spread = 0.1): number {
    return base * (1 - spread + 2 * spread * this.next());
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }

  /** Lower-case letters and digits, like the suffixes of generated pod names. */
  suffix(length: number): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}
