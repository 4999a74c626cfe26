import { describe, expect, it } from 'vitest';
import type { ResourceAction } from '../ports/infrastructure.js';
import { assertPlanScope, isInside, outOfScopeChanges } from './scope-check.js';

const W = 'module.worker_nodes["k8s-work-1"]';
const plan = (...changes: [string, ResourceAction[]][]) => ({
  id: 'p',
  changes: changes.map(([address, actions]) => ({ address, actions })),
});

describe('scope check', () => {
  it.each([
    [W, W, true],
    [`${W}.proxmox_virtual_environment_vm.this`, W, true],
    ['module.worker_nodes["k8s-work-10"].vm', 'module.worker_nodes["k8s-work-1"]', false],
    ['module.worker_nodes["k8s-work-1"]x', W, false],
    ['module.template_baldar_base.vm[0]', 'module.template_baldar_base', true],
    ['module.template_baldar_base_old.vm', 'module.template_baldar_base', false],
  ])('%s inside %s: %s', (address, allowed, inside) => {
    expect(isInside(address, allowed)).toBe(inside);
  });

  it('no-ops and reads anywhere are fine; any other action outside is listed', () => {
    const p = plan(
      [`${W}.vm`, ['delete', 'create']],
      ['data.proxmox_nodes.all', ['read']],
      ['module.worker_nodes["k8s-work-2"].vm', ['no-op']],
      ['module.control_plane_nodes["k8s-ctrl-1"].vm', ['update']],
    );
    expect(outOfScopeChanges(p, [W])).toEqual([
      'module.control_plane_nodes["k8s-ctrl-1"].vm (update)',
    ]);
  });

  it('refuses (exit 3) with PLAN_SCOPE naming the intruder', () => {
    const p = plan(
      [`${W}.vm`, ['delete', 'create']],
      ['module.template_odin_gpu.vm', ['delete', 'create']],
    );
    expect(() => assertPlanScope(p, [W], 'the VM of k8s-work-1')).toThrowError(
      expect.objectContaining({ code: 'PLAN_SCOPE', category: 'refused' }),
    );
  });

  it('a plan that recreates nothing is not a replacement', () => {
    expect(() => assertPlanScope(plan([`${W}.vm`, ['no-op']]), [W], 'x')).toThrowError(
      expect.objectContaining({ code: 'PLAN_NO_REPLACEMENT' }),
    );
  });

  it('accepts an in-scope replacement', () => {
    expect(() =>
      assertPlanScope(plan([`${W}.vm`, ['delete', 'create']], [`${W}.disk`, ['update']]), [W], 'x'),
    ).not.toThrow();
  });
});
