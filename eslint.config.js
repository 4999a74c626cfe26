// Flat config. The layer rule: core <- ports <- engine <- adapters <- cli/action.
// A file may import only from its own layer and the layers to its left.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['core', 'ports', 'engine', 'adapters', 'cli', 'action'];

/** Imports a layer must not make: every layer to its right, by relative path or alias. */
function forbiddenFor(layer) {
  const index = layers.indexOf(layer);
  // cli and action are peers at the top; the action may reuse the CLI's use-cases, not the reverse.
  const later = layers.slice(index + 1);
  return later.flatMap((l) => [`**/${l}/**`, `**/${l}`]);
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
  ...layers
    .filter((layer) => layer !== 'action')
    .map((layer) => ({
      files: [`src/${layer}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                group: forbiddenFor(layer),
                message: `Layer rule: src/${layer} may import only from ${layers.slice(0, layers.indexOf(layer) + 1).join(', ')}.`,
              },
              ...(layer === 'core'
                ? [{ group: nodeIo, message: 'core is pure: no I/O, no process, no clock.' }]
                : []),
            ],
          },
        ],
        ...(layer === 'core'
          ? {
              'no-restricted-globals': [
                'error',
                { name: 'process', message: 'core is pure: no process.env.' },
                { name: 'setTimeout', message: 'core has no clock.' },
              ],
              'no-restricted-properties': [
                'error',
                {
                  object: 'Date',
                  property: 'now',
                  message: 'core has no clock: take the time as an argument.',
                },
                {
                  object: 'Math',
                  property: 'random',
                  message: 'core takes a seeded random source.',
                },
              ],
            }
          : {}),
      },
    })),
);
