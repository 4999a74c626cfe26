import { describe, expect, it } from 'vitest';
import { addressSteps, isInside } from './terraform-address.js';

const W1 = 'module.worker_nodes["k8s-work-1"]';

describe('isInside: a Terraform address inside a module instance or resource', () => {
  it.each([
    // a module instance and what it holds
    [W1, W1, true],
    [`${W1}.proxmox_virtual_environment_vm.this`, W1, true],
    [`${W1}.data.talos_machine_configuration.this`, W1, true],
    [`${W1}.module.disk.terraform_data.x`, W1, true],
    [`${W1}.module.disk["a"].terraform_data.x[0]`, `${W1}.module.disk["a"]`, true],
    ['module.cp[0].proxmox_virtual_environment_vm.this', 'module.cp[0]', true],
    // a module call without a key holds every instance
    [`${W1}.terraform_data.vm`, 'module.worker_nodes', true],
    ['module.cp[2].terraform_data.vm', 'module.cp', true],
    // a resource holds its count/for_each instances
    ['module.a.proxmox_vm.vm[0]', 'module.a.proxmox_vm.vm', true],
    ['module.a.proxmox_vm.vm["x"]', 'module.a.proxmox_vm.vm', true],
    // names and keys that only share a prefix
    ['module.xy.terraform_data.vm', 'module.x', false],
    ['module.worker_nodes_extra.terraform_data.vm', 'module.worker_nodes', false],
    ['module.worker_nodes["k8s-work-10"].terraform_data.vm', W1, false],
    ['module.cp[10].terraform_data.vm', 'module.cp[1]', false],
    ['module.a.proxmox_vm.vmx', 'module.a.proxmox_vm.vm', false],
    [`${W1}x`, W1, false],
    // the container is deeper than the address, or another branch
    [W1, `${W1}.proxmox_virtual_environment_vm.this`, false],
    ['module.a.module.b.x.y', 'module.b', false],
    ['data.talos_client_configuration.this', 'module.a', false],
    // keys are quoted strings: separators inside the quotes belong to the key
    ['module.n["a.b"].tls_private_key.k', 'module.n["a.b"]', true],
    ['module.n["a.b"].tls_private_key.k', 'module.n["a"]', false],
    ['module.n["a\\"]"].x.y', 'module.n["a\\"]"]', true],
    ['module.n["a\\"]"].x.y', 'module.n["a\\"]', false],
    // malformed addresses are inside nothing
    ['module.x.', 'module.x', false],
    ['module.x["a"', 'module.x', false],
    ['module.x[a]', 'module.x', false],
    ['module.x', 'module..x', false],
  ])('%s inside %s: %s', (address, container, inside) => {
    expect(isInside(address, container)).toBe(inside);
  });

  it('splits an address into names and keys', () => {
    expect(addressSteps('module.a["k.x"].module.b[0].data.t.n')).toEqual([
      'module',
      'a',
      '["k.x"]',
      'module',
      'b',
      '[0]',
      'data',
      't',
      'n',
    ]);
    expect(addressSteps('')).toBeUndefined();
  });
});
