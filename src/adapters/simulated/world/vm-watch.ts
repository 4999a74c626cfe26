/**
 * Which VMs changed since the simulated controllers last looked (see changes.ts for why a
 * reconcile pass looks at what changed only).
 */
import type { VmState } from './state.js';

/**
 * Remembers what of each VM the controllers read (kubelets, node lifecycle): the machine, its
 * boot and its phase. Ports change VMs in world state, which carries no store event, so every
 * place that replaces a VM or changes its phase or boot calls World.vmTouched, which names the
 * VM here: a collect then compares only the VMs touched since the last one, not every VM of the
 * cluster (which made each reconcile pass cost grow with the node count). Comparing field by
 * field still decides what changed, so a touch that changed nothing costs nothing more.
 */
export class VmWatch {
  private readonly seen = new Map<
    string,
    { vm: VmState | undefined; boot: string; phase: string }
  >();
  /** VMs touched since the last collect; undefined: every VM (nothing collected yet). */
  private touched: Set<string> | undefined;

  /**
   * Tests set this to compare every VM on each collect as well and record in `missed` each
   * change that was not touched: the proof that no write to a VM's watched fields forgets
   * World.vmTouched (recorded, not thrown: a collect may run in a microtask or inside a port).
   */
  static verify = false;
  static readonly missed: string[] = [];

  touch(name: string): void {
    this.touched?.add(name);
  }

  /**
   * Adds to `nodes` every node of `names` whose VM changed since the last call; `all` compares
   * every VM of `names` (a full pass). Returns how many VMs it compared.
   */
  collect(
    vms: Record<string, VmState | undefined>,
    names: Iterable<string>,
    nodes: Set<string>,
    all = false,
  ): number {
    const wanted = this.touched === undefined || all ? names : this.only(names, this.touched);
    if (VmWatch.verify && !all && this.touched !== undefined) this.verifyTouched(vms, names);
    this.touched = new Set();
    let compared = 0;
    for (const name of wanted) {
      compared += 1;
      if (this.changedSinceSeen(vms, name)) nodes.add(name);
    }
    return compared;
  }

  private changedSinceSeen(vms: Record<string, VmState | undefined>, name: string): boolean {
    const vm = vms[name];
    const last = this.seen.get(name);
    if (
      last &&
      last.vm === vm &&
      last.boot === (vm?.bootId ?? '') &&
      last.phase === (vm?.phase ?? '')
    )
      return false;
    this.seen.set(name, { vm, boot: vm?.bootId ?? '', phase: vm?.phase ?? '' });
    return true;
  }

  /** The touched names that are among `names` (a Set is asked directly, not scanned). */
  private only(names: Iterable<string>, touched: Set<string>): string[] {
    if (names instanceof Set) return [...touched].filter((n) => names.has(n));
    const among = new Set(names);
    return [...touched].filter((n) => among.has(n));
  }

  private verifyTouched(vms: Record<string, VmState | undefined>, names: Iterable<string>): void {
    for (const name of names) {
      if (this.touched?.has(name)) continue;
      const vm = vms[name];
      const last = this.seen.get(name);
      const same =
        last !== undefined &&
        last.vm === vm &&
        last.boot === (vm?.bootId ?? '') &&
        last.phase === (vm?.phase ?? '');
      if (!same) VmWatch.missed.push(name);
    }
  }
}
