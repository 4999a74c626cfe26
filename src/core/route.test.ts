import { describe, expect, it } from 'vitest';
import { REFUSAL_CODES, decideRoute, type RouteAllowances, type RouteDecision } from './route.js';
import { versionOf } from './version.js';

interface Case {
  name: string;
  talos: [string | null, string];
  kube?: [string | null, string | null];
  allow?: RouteAllowances;
  expect: Partial<RouteDecision> & { reasonMatch?: RegExp };
}

const v = (text: string | null) => (text === null ? null : versionOf(text));

const cases: Case[] = [
  // Talos: the basic routes
  {
    name: 'equal',
    talos: ['1.10.8', '1.10.8'],
    expect: { upgradeType: 'none', versionChanged: false, hops: [] },
  },
  {
    name: 'patch up',
    talos: ['1.10.8', '1.10.9'],
    expect: { upgradeType: 'pets', hops: ['1.10.9'], versionChanged: true },
  },
  {
    name: 'patch jump',
    talos: ['1.10.1', '1.10.9'],
    expect: { upgradeType: 'pets', hops: ['1.10.9'] },
  },
  {
    name: 'minor up',
    talos: ['1.10.8', '1.11.0'],
    expect: { upgradeType: 'cattle', hops: ['1.11.0'], isDowngrade: false },
  },
  {
    name: 'minor up to a patch',
    talos: ['1.10.8', '1.11.3'],
    expect: { upgradeType: 'cattle', hops: ['1.11.3'] },
  },
  {
    name: 'two minors allowed by data',
    talos: ['1.9.5', '1.11.0'],
    expect: { upgradeType: 'cattle', hops: ['1.11.0'] },
  },
  { name: 'oldest line minor up', talos: ['1.2.0', '1.3.0'], expect: { upgradeType: 'cattle' } },
  { name: 'newest line', talos: ['1.14.2', '1.15.0'], expect: { upgradeType: 'cattle' } },
  {
    name: 'from a line older than the data',
    talos: ['1.0.5', '1.2.0'],
    expect: { upgradeType: 'cattle' },
  },
  {
    name: 'first commit',
    talos: [null, '1.10.8'],
    expect: {
      upgradeType: 'none',
      versionChanged: false,
      oldVersion: null,
      reasonMatch: /first commit/,
    },
  },
  {
    name: 'leading v normalised',
    talos: ['1.10.8', '1.10.9'],
    expect: { oldVersion: '1.10.8', newVersion: '1.10.9' },
  },
  {
    name: 'pre-release to release same line',
    talos: ['1.11.0-beta.1', '1.11.0'],
    expect: { upgradeType: 'pets' },
  },
  {
    name: 'release to pre-release next line',
    talos: ['1.10.8', '1.11.0-alpha.2'],
    expect: { upgradeType: 'cattle' },
  },

  // Talos: downgrades
  {
    name: 'patch down',
    talos: ['1.10.9', '1.10.8'],
    expect: { upgradeType: 'refused', code: 'DOWNGRADE', isDowngrade: true },
  },
  {
    name: 'minor down',
    talos: ['1.11.0', '1.10.8'],
    expect: { upgradeType: 'refused', code: 'DOWNGRADE', reasonMatch: /--allow-downgrade/ },
  },
  {
    name: 'patch down allowed',
    talos: ['1.10.9', '1.10.8'],
    allow: { allowDowngrade: true },
    expect: { upgradeType: 'cattle', isDowngrade: true, hops: ['1.10.8'], code: null },
  },
  {
    name: 'minor down allowed',
    talos: ['1.11.0', '1.10.8'],
    allow: { allowDowngrade: true },
    expect: { upgradeType: 'cattle', isDowngrade: true },
  },
  // A downgrade across several lines is refused whatever the flags: cattle cannot go through
  // hops, and no flag makes it one hop (core/route-talos.ts, DOWNGRADE_MULTI_HOP).
  {
    name: 'far downgrade without flags: refused naming the hops, not --allow-downgrade',
    talos: ['1.15.2', '1.10.1'],
    expect: {
      upgradeType: 'refused',
      code: 'DOWNGRADE_MULTI_HOP',
      isDowngrade: true,
      hops: ['1.13.9', '1.11.6', '1.10.1'],
      reasonMatch: /downgrade one line at a time/,
    },
  },
  {
    name: 'far downgrade allowed but not in one hop',
    talos: ['1.15.2', '1.10.1'],
    allow: { allowDowngrade: true },
    expect: {
      upgradeType: 'refused',
      code: 'DOWNGRADE_MULTI_HOP',
      isDowngrade: true,
      hops: ['1.13.9', '1.11.6', '1.10.1'],
    },
  },
  {
    name: 'far downgrade with every flag: still refused, never cattle with hops',
    talos: ['1.15.2', '1.10.1'],
    allow: { allowDowngrade: true, allowMultiHop: true, allowUnknown: true },
    expect: { upgradeType: 'refused', code: 'DOWNGRADE_MULTI_HOP', isDowngrade: true },
  },
  {
    name: 'two-line downgrade with both flags: refused',
    talos: ['1.13.2', '1.10.8'],
    allow: { allowDowngrade: true, allowMultiHop: true },
    expect: { upgradeType: 'refused', code: 'DOWNGRADE_MULTI_HOP', hops: ['1.11.6', '1.10.8'] },
  },
  {
    name: 'downgrade two lines inside the maximum downgrade version: one hop, cattle',
    talos: ['1.12.4', '1.10.8'],
    allow: { allowDowngrade: true },
    expect: { upgradeType: 'cattle', isDowngrade: true, hops: ['1.10.8'], code: null },
  },
  {
    name: 'pre-release downgrade',
    talos: ['1.11.0', '1.11.0-rc.1'],
    expect: { code: 'DOWNGRADE' },
  },

  // Talos: hops
  {
    name: 'forbidden hop',
    talos: ['1.8.3', '1.11.0'],
    expect: {
      upgradeType: 'refused',
      code: 'FORBIDDEN_HOP',
      hops: ['1.10.9', '1.11.0'],
      reasonMatch: /1\.8\.3 -> 1\.10\.9 -> 1\.11\.0/,
    },
  },
  {
    name: 'forbidden hop names the minimum',
    talos: ['1.8.3', '1.11.0'],
    expect: { reasonMatch: />= 1\.9\.0/ },
  },
  {
    name: 'multi-hop allowed: in place through each line (cattle cannot build intermediate templates)',
    talos: ['1.8.3', '1.11.0'],
    allow: { allowMultiHop: true },
    expect: { upgradeType: 'pets', hops: ['1.10.9', '1.11.0'], code: null },
  },
  {
    name: 'long multi-hop',
    talos: ['1.5.1', '1.12.4'],
    allow: { allowMultiHop: true },
    expect: { upgradeType: 'pets', hops: ['1.8.4', '1.10.9', '1.12.4'] },
  },
  {
    name: 'long forbidden',
    talos: ['1.5.1', '1.12.4'],
    expect: { code: 'FORBIDDEN_HOP', hops: ['1.8.4', '1.10.9', '1.12.4'] },
  },
  {
    name: 'multi-hop flag is harmless on one hop',
    talos: ['1.10.8', '1.11.0'],
    allow: { allowMultiHop: true },
    expect: { upgradeType: 'cattle', hops: ['1.11.0'] },
  },

  // Talos: unknown lines
  {
    name: 'unknown next line',
    talos: ['1.15.1', '1.16.0'],
    expect: { upgradeType: 'refused', code: 'UNKNOWN_TARGET_LINE', reasonMatch: /1\.2\.\.1\.15/ },
  },
  { name: 'unknown major', talos: ['1.10.8', '2.0.0'], expect: { code: 'UNKNOWN_TARGET_LINE' } },
  {
    name: 'unknown patch line',
    talos: ['1.16.0', '1.16.1'],
    expect: { code: 'UNKNOWN_TARGET_LINE' },
  },
  {
    name: 'unknown allowed',
    talos: ['1.15.1', '1.16.0'],
    allow: { allowUnknown: true },
    expect: { upgradeType: 'cattle', hops: ['1.16.0'], code: null },
  },
  {
    name: 'unknown patch allowed',
    talos: ['1.16.0', '1.16.1'],
    allow: { allowUnknown: true },
    expect: { upgradeType: 'pets' },
  },
  {
    name: 'downgrade checked before unknown',
    talos: ['1.16.1', '1.16.0'],
    allow: { allowUnknown: true },
    expect: { code: 'DOWNGRADE' },
  },
  {
    name: 'unknown line with unchanged version',
    talos: ['1.16.0', '1.16.0'],
    expect: { upgradeType: 'none', code: null },
  },

  // Kubernetes
  {
    name: 'k8s untracked',
    talos: ['1.10.8', '1.10.9'],
    kube: [null, null],
    expect: {
      kubernetesUpgrade: 'none',
      kubernetesChanged: false,
      oldKubernetesVersion: null,
      newKubernetesVersion: null,
    },
  },
  {
    name: 'k8s unchanged',
    talos: ['1.10.8', '1.10.8'],
    kube: ['1.33.2', '1.33.2'],
    expect: { kubernetesUpgrade: 'none', kubernetesChanged: false },
  },
  {
    name: 'k8s patch',
    talos: ['1.10.8', '1.10.8'],
    kube: ['1.33.2', '1.33.5'],
    expect: {
      kubernetesUpgrade: 'kubernetes',
      kubernetesChanged: true,
      kubernetesHops: ['1.33.5'],
      upgradeType: 'none',
    },
  },
  {
    name: 'k8s minor',
    talos: ['1.11.2', '1.11.2'],
    kube: ['1.33.2', '1.34.1'],
    expect: { kubernetesUpgrade: 'kubernetes', newKubernetesVersion: '1.34.1' },
  },
  {
    name: 'both change',
    talos: ['1.10.8', '1.11.0'],
    kube: ['1.33.2', '1.34.1'],
    expect: {
      upgradeType: 'cattle',
      kubernetesUpgrade: 'kubernetes',
      code: null,
      reasonMatch: /cattle.*upgrade-k8s/,
    },
  },
  {
    name: 'k8s downgrade',
    talos: ['1.11.2', '1.11.2'],
    kube: ['1.34.1', '1.33.9'],
    expect: { kubernetesUpgrade: 'refused', code: 'K8S_DOWNGRADE' },
  },
  {
    name: 'k8s patch downgrade',
    talos: ['1.11.2', '1.11.2'],
    kube: ['1.34.2', '1.34.1'],
    expect: { code: 'K8S_DOWNGRADE' },
  },
  {
    name: 'k8s skipped minor',
    talos: ['1.11.2', '1.11.2'],
    kube: ['1.32.4', '1.34.1'],
    expect: {
      kubernetesUpgrade: 'refused',
      code: 'K8S_SKIPPED_MINOR',
      kubernetesHops: ['1.33.6', '1.34.1'],
      reasonMatch: /1\.32\.4 -> 1\.33\.6 -> 1\.34\.1; pass --allow-multi-hop/,
    },
  },
  {
    name: 'k8s major change',
    talos: ['1.11.2', '1.11.2'],
    kube: ['1.34.1', '2.0.0'],
    expect: { code: 'K8S_SKIPPED_MINOR', reasonMatch: /major/ },
  },
  {
    // The same flag as for Talos: one minor per hop, intermediate minors at their latest patch.
    name: 'k8s skipped minor routed with multi-hop',
    talos: ['1.11.2', '1.11.2'],
    kube: ['1.32.4', '1.34.1'],
    allow: { allowMultiHop: true },
    expect: { code: null, kubernetesUpgrade: 'kubernetes', kubernetesHops: ['1.33.6', '1.34.1'] },
  },
  {
    name: 'k8s too new for Talos line',
    talos: ['1.10.8', '1.10.8'],
    kube: ['1.33.2', '1.34.0'],
    expect: {
      kubernetesUpgrade: 'refused',
      code: 'K8S_OUT_OF_RANGE',
      reasonMatch: /1\.28\.\.1\.33.*too new/,
    },
  },
  {
    name: 'k8s too old for target Talos',
    talos: ['1.10.8', '1.11.0'],
    kube: ['1.28.4', '1.28.4'],
    expect: {
      upgradeType: 'cattle',
      kubernetesUpgrade: 'refused',
      code: 'K8S_OUT_OF_RANGE',
      reasonMatch: /upgrade Kubernetes to 1\.29 first/,
    },
  },
  {
    name: 'k8s in range of new Talos line',
    talos: ['1.10.8', '1.11.0'],
    kube: ['1.33.2', '1.33.2'],
    expect: { kubernetesUpgrade: 'none', code: null },
  },
  {
    name: 'k8s range unknown for unknown Talos line',
    talos: ['1.15.1', '1.16.0'],
    kube: ['1.38.0', '1.39.0'],
    allow: { allowUnknown: true },
    expect: { kubernetesUpgrade: 'kubernetes', code: null },
  },
  {
    name: 'Talos refusal reported before k8s refusal',
    talos: ['1.11.0', '1.10.0'],
    kube: ['1.34.1', '1.33.0'],
    expect: { code: 'DOWNGRADE', kubernetesUpgrade: 'refused' },
  },
  {
    name: 'first commit ignores k8s',
    talos: [null, '1.10.8'],
    kube: [null, '1.33.0'],
    expect: { kubernetesUpgrade: 'none', kubernetesChanged: false, newKubernetesVersion: '1.33.0' },
  },
];

describe('decideRoute', () => {
  it('has at least 40 cases covering every refusal code', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const covered = new Set(cases.map((c) => c.expect.code).filter(Boolean));
    expect([...covered].sort()).toEqual([...REFUSAL_CODES].sort());
  });

  it.each(cases)('$name', ({ talos, kube, allow, expect: expected }) => {
    const decision = decideRoute({
      oldTalos: v(talos[0]),
      newTalos: versionOf(talos[1]),
      oldKubernetes: v(kube?.[0] ?? null),
      newKubernetes: v(kube?.[1] ?? null),
      allow,
    });
    const { reasonMatch, ...fields } = expected;
    expect(decision).toMatchObject(fields);
    if (reasonMatch) expect(decision.reason).toMatch(reasonMatch);
    // Invariants of every decision.
    expect(decision.code === null).toBe(decision.refusals.length === 0);
    if (decision.upgradeType === 'refused') expect(decision.refusals[0]?.subject).toBe('talos');
    if (decision.code) expect(decision.reason).toBe(decision.refusals[0]?.reason);
    expect(decision.reason.length).toBeGreaterThan(0);
  });
});
