// Flat config. The layer rule: core <- ports <- engine <- adapters <- app <- cli/action.
// A file may import only from its own layer and the layers to its left; cli and action are peers
// at the top that share the use cases in app and never import each other.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['core', 'ports', 'engine', 'adapters', 'app', 'cli', 'action'];
/** The two entry points: each reaches the use cases through app, not through the other. */
const peers = ['cli', 'action'];

/** Imports a layer must not make: every layer to its right (and its peer), by relative path or alias. */
function forbiddenFor(layer) {
  const index = layers.indexOf(layer);
  const later = layers.slice(index + 1);
  const peer = peers.includes(layer) ? peers.filter((p) => p !== layer) : [];
  return [...new Set([...later, ...peer])].flatMap((l) => [`**/${l}/**`, `**/${l}`]);
}

/** The layers a layer may import from, for the message. */
function allowedFor(layer) {
  const below = layers.slice(0, layers.indexOf(layer) + 1);
  return below.filter((l) => l === layer || !peers.includes(l));
}

const nodeIo = [
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'node:net',
  'node:http',
  'node:https',
  'node:os',
  'node:process',
  'fs',
  'child_process',
  'os',
  'http',
  'https',
  'net',
];

const spawnModules = ['node:child_process', 'child_process'];

// The engine holds Kubernetes by role (docs/architecture.md, Layers): only the node cycle and
// cleanup cordon or drain (`kubernetes.nodes`); only the run and its renewal touch the lock.
const noEnums = { selector: 'TSEnumDeclaration', message: 'Use an `as const` union, not an enum.' };
const noNodesRole = {
  selector: [
    "MemberExpression[object.property.name='kubernetes'][property.name='nodes']",
    "VariableDeclarator[init.property.name='kubernetes'] > ObjectPattern > Property[key.name='nodes']",
  ].join(', '),
  message:
    'Only the node cycle and cleanup cordon or drain: read nodes through kubernetes.nodeReads.',
};
const noLock = {
  selector: [
    "MemberExpression[object.property.name='ports'][property.name='lock']",
    "MemberExpression[object.name='ports'][property.name='lock']",
    "VariableDeclarator[init.property.name='ports'] > ObjectPattern > Property[key.name='lock']",
    "VariableDeclarator[init.name='ports'] > ObjectPattern > Property[key.name='lock']",
  ].join(', '),
  message: 'Only cluster-lock.ts and lock-renewal.ts take, renew or release the lock.',
};
const nodesRoleFiles = [
  'src/engine/cleanup.ts',
  'src/engine/drain.ts',
  'src/engine/drain-eviction.ts',
  'src/engine/steps/node-steps.ts',
];
const lockFiles = ['src/engine/cluster-lock.ts', 'src/engine/lock-renewal.ts'];
const engineTests = ['src/engine/**/*.test.ts', 'src/engine/**/testing/**'];

/** What `layer` may not import; `spawn`: whether it may start child processes itself. */
function layerPatterns(layer, { spawn }) {
  return [
    {
      group: forbiddenFor(layer),
      message: `Layer rule: src/${layer} may import only from ${allowedFor(layer).join(', ')}.`,
    },
    ...(layer === 'core'
      ? [{ group: nodeIo, message: 'core is pure: no I/O, no process, no clock.' }]
      : []),
    ...(spawn
      ? []
      : [
          {
            group: spawnModules,
            message:
              'Child processes start only in src/adapters/exec (argv, timeout, signal, redaction).',
          },
        ]),
  ];
}

/** core and engine take time from the Clock port (virtual in simulate) and nothing from the environment. */
function clockFree(layer) {
  const why =
    layer === 'core'
      ? 'core is pure'
      : 'the engine reaches time and the environment only through its ports';
  return {
    'no-restricted-globals': [
      'error',
      { name: 'process', message: `${why}: no process or process.env.` },
      ...['setTimeout', 'setInterval', 'setImmediate'].map((name) => ({
        name,
        message: `${why}: no timers (use clock.sleep).`,
      })),
    ],
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: `${why}: take the time from the clock.` },
      { object: 'Math', property: 'random', message: `${why}: take a seeded random source.` },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.test-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        Buffer: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        structuredClone: 'readonly',
        performance: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        queueMicrotask: 'readonly',
        clearImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` union, not an enum.' },
      ],
    },
  },
  ...layers.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: layerPatterns(layer, { spawn: false }) }],
      ...(layer === 'core' || layer === 'engine' ? clockFree(layer) : {}),
    },
  })),
  // The one place a child process starts (argv arrays, timeout, AbortSignal, redaction).
  {
    files: ['src/adapters/exec/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: layerPatterns('adapters', { spawn: true }) }],
    },
  },
  // Tests may drive real programs (git, terraform) and a fake clock's timers.
  ...layers.map((layer) => ({
    files: [`src/${layer}/**/*.test.ts`, `src/${layer}/**/testing/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: layerPatterns(layer, { spawn: true }) }],
      'no-restricted-globals': 'off',
    },
  })),
  // Engine tests run on the one twin: they (and their helpers in testing/) may import the
  // simulated adapters (and the Lease lock the twin holds) and nothing else of the adapters;
  // production engine code may not.
  {
    files: ['src/engine/**/*.test.ts', 'src/engine/**/testing/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...layerPatterns('engine', { spawn: true }).map((p) => ({
              ...p,
              group: p.group.filter((g) => !g.includes('adapters')),
            })),
            {
              regex:
                '(^|/)adapters(/(?!simulated/|kubernetes/lease-lock|journal/memory-journal)|$)',
              message:
                'Engine tests may import only the simulated adapters (the one twin), the lease lock and the in-memory journal.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    ignores: [...engineTests, ...nodesRoleFiles, ...lockFiles],
    rules: { 'no-restricted-syntax': ['error', noEnums, noNodesRole, noLock] },
  },
  {
    files: nodesRoleFiles,
    rules: { 'no-restricted-syntax': ['error', noEnums, noLock] },
  },
  {
    files: lockFiles,
    rules: { 'no-restricted-syntax': ['error', noEnums, noNodesRole] },
  },
);
