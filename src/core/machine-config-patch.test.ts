import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DroverError } from './errors.js';
import { applyPatches } from './machine-config-patch.js';

const BASE = `version: v1alpha1
debug: false
machine:
  type: worker
  token: s3cr3t-machine-token-value
  install:
    disk: /dev/sda
    extraKernelArgs:
      - console=ttyS0
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.34.1
    extraMounts:
      - destination: /var/local
        type: bind
        source: /var/local
        options: [bind, rw]
  files:
    - path: /etc/cri/conf.d/20-customization.part
      op: create
      content: "[plugins]"
      permissions: 0644
  network:
    hostname: k8s-work-1
    interfaces:
      - interface: eth0
        dhcp: true
  time:
    servers: [time.cloudflare.com]
cluster:
  network:
    podSubnets: [10.244.0.0/16]
`;

const GPU = `machine:
  kernel:
    modules:
      - name: nvidia
      - name: nvidia_uvm
      - name: nvidia_drm
      - name: nvidia_modeset
  sysctls:
    net.core.bpf_jit_harden: "1"
`;

const KERNEL_ARGS =
  'machine:\n  install:\n    extraKernelArgs: [console=ttyS0, net.ifnames=0, talos.platform=nocloud]\n';
const MOUNTS = `machine:
  kubelet:
    extraMounts:
      - destination: /var/lib/rook
        type: bind
        source: /var/lib/rook
        options: [bind, rshared, rw]
      - destination: /var/local
        options: [bind, rw, rshared]
`;
const FILES = `machine:
  files:
    - path: /etc/cri/conf.d/20-customization.part
      op: create
      content: "[plugins.cri]"
    - path: /var/etc/extra.conf
      op: create
      content: x
`;
const INTERFACES = `machine:
  network:
    interfaces:
      - interface: eth0
        mtu: 9000
        vlans:
          - vlanId: 20
            dhcp: true
      - deviceSelector:
          hardwareAddr: "aa:bb:*"
        dhcp: true
`;
const TIME = 'machine:\n  time:\n    servers: [10.20.66.1]\n';
const DELETE = 'machine:\n  install:\n    disk:\n      $patch: delete\n';
const ORDER = `machine:
  certSANs: [k8s.example]
  nodeLabels:
    topology.kubernetes.io/zone: baldar
`;

function get(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], value);
}

/** The chosen fields of each item of a list of maps (the whole value when no fields). */
function project(value: unknown, fields: string[] | undefined): unknown {
  if (fields === undefined) return value;
  return (value as Record<string, unknown>[]).map((item) => fields.map((f) => item[f]));
}

describe('applyPatches', () => {
  it.each([
    ['GPU kernel modules and sysctls', [GPU]],
    ['extra kernel args', [KERNEL_ARGS]],
    ['kubelet extra mounts', [MOUNTS]],
    ['files by path', [FILES]],
    ['network interfaces by interface and deviceSelector', [INTERFACES]],
    ['time servers (replaced list)', [TIME]],
    ['a deletion', [DELETE]],
    ['several patches at once', [KERNEL_ARGS, MOUNTS, GPU, FILES, INTERFACES, TIME, ORDER]],
    ['a patch repeated in the same call', [GPU, GPU, KERNEL_ARGS, KERNEL_ARGS]],
  ])('is idempotent: %s', (_name, patches) => {
    const once = applyPatches(BASE, patches);
    expect(once).not.toBe(BASE);
    expect(applyPatches(once, patches)).toBe(once);
    expect(applyPatches(applyPatches(once, patches), patches)).toBe(once);
  });

  it.each<[string, string[], string, string[] | undefined, unknown]>([
    [
      'kernel args: existing kept, new appended, no duplicates',
      [KERNEL_ARGS],
      'install.extraKernelArgs',
      undefined,
      ['console=ttyS0', 'net.ifnames=0', 'talos.platform=nocloud'],
    ],
    [
      'mounts merged by destination',
      [MOUNTS],
      'kubelet.extraMounts',
      ['destination', 'options'],
      [
        ['/var/local', ['bind', 'rw', 'rshared']],
        ['/var/lib/rook', ['bind', 'rshared', 'rw']],
      ],
    ],
    [
      'files merged by path',
      [FILES],
      'files',
      ['path', 'content'],
      [
        ['/etc/cri/conf.d/20-customization.part', '[plugins.cri]'],
        ['/var/etc/extra.conf', 'x'],
      ],
    ],
    [
      'interfaces merged by name, new selector appended',
      [INTERFACES],
      'network.interfaces',
      ['interface', 'dhcp', 'mtu'],
      [
        ['eth0', true, 9000],
        [undefined, true, undefined],
      ],
    ],
    [
      'GPU kernel modules added',
      [GPU],
      'kernel.modules',
      ['name'],
      [['nvidia'], ['nvidia_uvm'], ['nvidia_drm'], ['nvidia_modeset']],
    ],
    ['GPU sysctls added', [GPU], 'sysctls', undefined, { 'net.core.bpf_jit_harden': '1' }],
    ['time servers replaced', [TIME], 'time.servers', undefined, ['10.20.66.1']],
    ['deleted key is gone', [DELETE], 'install', undefined, { extraKernelArgs: ['console=ttyS0'] }],
    ['scalars kept unless patched', [ORDER, GPU], 'type', undefined, 'worker'],
    ['new keys added', [ORDER], 'certSANs', undefined, ['k8s.example']],
    ['legacy octal read as octal', [], 'files', ['permissions'], [[0o644]]],
  ])('%s', (_name, patches, path, fields, expected) => {
    expect(project(get(parse(applyPatches(BASE, patches)), `machine.${path}`), fields)).toEqual(
      expected,
    );
  });

  it('keeps the other documents of a multi-document config and patches only v1alpha1', () => {
    const extension =
      'apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: nut-client\nconfigFiles:\n  - content: MONITOR\n    mountPath: /usr/local/etc/nut/upsmon.conf\n';
    const config = `${BASE}---\n${extension}`;
    const out = applyPatches(config, [GPU]);
    const docs = parseAllDocuments(out) as unknown as { toJS(): unknown }[];
    expect(docs).toHaveLength(2);
    expect(docs[1]!.toJS()).toEqual(parse(extension));
    expect(get(docs[0]!.toJS(), 'machine.kernel.modules')).toHaveLength(4);
    expect(applyPatches(out, [GPU])).toBe(out);
  });

  it('patches the v1alpha1 document even when it is not first', () => {
    const config = `apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://x\n---\n${BASE}`;
    const docs = parseAllDocuments(applyPatches(config, [TIME])) as unknown as {
      toJS(): unknown;
    }[];
    expect(get(docs[0]!.toJS(), 'kind')).toBe('SideroLinkConfig');
    expect(get(docs[1]!.toJS(), 'machine.time.servers')).toEqual(['10.20.66.1']);
  });

  it.each([
    ['broken YAML', 'machine:\n  install: [unclosed\n', 'PATCH_INVALID'],
    ['a list, not a map', '- a\n- b\n', 'PATCH_INVALID'],
    [
      'a patch for another document kind',
      'apiVersion: v1alpha1\nkind: ExtensionServiceConfig\n',
      'PATCH_INVALID',
    ],
  ])('refuses %s', (_name, patch, code) => {
    const call = () => applyPatches(BASE, [GPU, patch]);
    expect(call).toThrow(DroverError);
    try {
      call();
    } catch (error) {
      const e = error as DroverError;
      expect([e.category, e.code, e.details?.patch]).toEqual(['input', code, 1]);
      expect(e.hint).toBeTruthy();
    }
  });

  it('never quotes the config in its error (configs hold secrets)', () => {
    const broken = BASE.replace('type: worker', 'type: [worker');
    try {
      applyPatches(broken, [GPU]);
      expect.unreachable();
    } catch (error) {
      const e = error as DroverError;
      expect(e.code).toBe('MACHINE_CONFIG_INVALID');
      const text = `${e.message} ${String((e as { cause?: unknown }).cause)} ${JSON.stringify(e.details)}`;
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('worker');
    }
  });

  it('treats empty patches as no-ops', () => {
    const once = applyPatches(BASE, []);
    expect(applyPatches(BASE, ['', '# only a comment\n'])).toBe(once);
    expect(parse(once)).toEqual(parse(BASE.replace('0644', '0o644')));
  });
});
