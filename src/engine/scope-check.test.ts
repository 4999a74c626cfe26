import { describe, expect, it } from 'vitest';
import type { InfrastructurePlan, ResourceAction } from '../ports/infrastructure.js';
import {
  assertPlanScope,
  isIdentityResource,
  outOfScopeChanges,
  resourceTypeOf,
} from './scope-check.js';

const W = 'module.worker_nodes["k8s-work-1"]';
const VM = `${W}.proxmox_virtual_environment_vm.this`;
const plan = (
  changes: [string, ResourceAction[]][],
  replaceable: string[] | undefined = [VM],
): InfrastructurePlan => ({
  id: 'p',
  changes: changes.map(([address, actions]) => ({ address, actions })),
  ...(replaceable ? { replaceable } : {}),
});

describe('scope check', () => {
  it.each([
    [VM, 'proxmox_virtual_environment_vm'],
    ['module.a["x.y"].module.b[0].talos_machine_bootstrap.this', 'talos_machine_bootstrap'],
    ['random_password.token[2]', 'random_password'],
    ['data.talos_client_configuration.this', 'talos_client_configuration'],
    ['module.n["a\\"b.c"].tls_private_key.k', 'tls_private_key'],
  ])('the type of %s is %s', (address, type) => {
    expect(resourceTypeOf(address)).toBe(type);
  });

  it('identity resources: bootstrap, secrets, tls_*, random_*', () => {
    expect(isIdentityResource(`${W}.talos_machine_bootstrap.this`)).toBe(true);
    expect(isIdentityResource('talos_machine_secrets.this')).toBe(true);
    expect(isIdentityResource(`${W}.tls_private_key.ssh`)).toBe(true);
    expect(isIdentityResource(`${W}.random_id.suffix`)).toBe(true);
    expect(isIdentityResource(`${W}.talos_machine_configuration_apply.this`)).toBe(false);
    expect(isIdentityResource(VM)).toBe(false);
  });

  it('no-ops and reads anywhere are fine; any other action outside is listed', () => {
    const p = plan([
      [VM, ['delete', 'create']],
      ['data.proxmox_nodes.all', ['read']],
      ['module.worker_nodes["k8s-work-2"].vm', ['no-op']],
      ['module.control_plane_nodes["k8s-ctrl-1"].vm', ['update']],
    ]);
    expect(outOfScopeChanges(p, [W])).toEqual([
      'module.control_plane_nodes["k8s-ctrl-1"].vm (update): outside module.worker_nodes["k8s-work-1"]',
    ]);
  });

  it('refuses (exit 3) with PLAN_SCOPE naming the intruder', () => {
    const p = plan([
      [VM, ['delete', 'create']],
      ['module.template_odin_gpu.vm', ['delete', 'create']],
    ]);
    expect(() => assertPlanScope(p, [W], 'the VM of k8s-work-1')).toThrowError(
      expect.objectContaining({ code: 'PLAN_SCOPE', category: 'refused' }),
    );
  });

  it.each<[string, ResourceAction[]]>([
    [`${W}.talos_machine_bootstrap.this`, ['delete', 'create']],
    [`${W}.talos_machine_bootstrap.this`, ['create']],
    [`${W}.talos_machine_bootstrap.this`, ['update']],
    [`${W}.talos_machine_secrets.this`, ['create', 'delete']],
    [`${W}.tls_private_key.ssh`, ['delete']],
    [`${W}.random_password.x`, ['delete', 'create']],
  ])(
    'refuses %s %j inside the node module (a second bootstrap splits etcd)',
    (address, actions) => {
      const p = plan([
        [VM, ['delete', 'create']],
        [address, actions],
      ]);
      expect(() => assertPlanScope(p, [W], 'x')).toThrowError(
        expect.objectContaining({ code: 'PLAN_SCOPE', category: 'refused' }),
      );
    },
  );

  it('refuses a create or delete in the module of anything but its VM resources', () => {
    const p = plan([
      [VM, ['delete', 'create']],
      [`${W}.talos_machine_configuration_apply.this`, ['delete', 'create']],
    ]);
    expect(outOfScopeChanges(p, [W])).toEqual([
      `${W}.talos_machine_configuration_apply.this (delete,create): not a VM resource of the node`,
    ]);
  });

  it.each<ResourceAction[]>([['forget'], ['create', 'forget']])(
    'refuses forget (%j), even of the VM itself',
    (...actions) => {
      const p = plan([[VM, actions]]);
      expect(() => assertPlanScope(p, [W], 'x')).toThrowError(
        expect.objectContaining({ code: 'PLAN_SCOPE' }),
      );
    },
  );

  it('a plan that recreates nothing is not a replacement', () => {
    expect(() => assertPlanScope(plan([[VM, ['no-op']]]), [W], 'x')).toThrowError(
      expect.objectContaining({ code: 'PLAN_NO_REPLACEMENT' }),
    );
  });

  it('accepts an in-scope replacement with updates of other resources of the module', () => {
    expect(() =>
      assertPlanScope(
        plan([
          [VM, ['delete', 'create']],
          [`${W}.talos_machine_configuration_apply.this`, ['update']],
        ]),
        [W],
        'x',
      ),
    ).not.toThrow();
    // create-before-destroy order and a VM lost mid-apply (create only)
    expect(() => assertPlanScope(plan([[VM, ['create', 'delete']]]), [W], 'x')).not.toThrow();
    expect(() => assertPlanScope(plan([[VM, ['create']]]), [W], 'x')).not.toThrow();
  });
});
