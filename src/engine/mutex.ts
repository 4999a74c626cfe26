/**
 * One Terraform state, one operation at a time: every infrastructure call goes through one
 * Mutex, even when workers are replaced in parallel (parallel jobs once fought over the state lock).
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
