/**
 * Hooks run before every copying read (get, list) of a resource: they let a simulated
 * controller that writes on a timer (the Rook operator's status poll) catch up lazily, instead
 * of keeping the virtual clock busy forever. A hook's own reads run no hooks.
 */
import type { ResourceKey } from './kube-object.js';

export class ReadHooks {
  private readonly hooks = new Map<ResourceKey, (() => void)[]>();
  private running = false;

  add(resource: ResourceKey, hook: () => void): void {
    this.hooks.set(resource, [...(this.hooks.get(resource) ?? []), hook]);
  }

  run(resource: ResourceKey): void {
    const hooks = this.hooks.get(resource);
    if (!hooks || this.running) return;
    this.running = true;
    try {
      for (const hook of hooks) hook();
    } finally {
      this.running = false;
    }
  }
}
