// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

/** What a wing may not import, and why, as one `no-restricted-imports` rule per wing. */
function wingRules(wings) {
  const why = {
    tools: 'skill/, linking/ and models/ are the product: they never import a developer tool (tools/); wire it in from app.ts, main.ts or deps.ts',
    linking: 'the skill never imports linking/: what it needs of the linking half is an interface in models/, wired in deps.ts',
    skill: 'models/ is shared by both halves and imports neither skill/ nor linking/',
  };
  return wings.map(({ files, forbidden }) => ({
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: forbidden.map((wing) => ({ regex: `(^|/)${wing}(/|$)`, message: why[wing === 'linking' && files[0].startsWith('models') ? 'skill' : wing] })) }],
    },
  }));
}

module.exports = tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'test-artifacts/', 'tools/bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
    },
  },
  ...wingRules([
    // The product (what users' requests pass through) never imports a developer tool; only the entry files
    // at the top level (app.ts, main.ts, deps.ts) wire tools in.
    { files: ['linking/**/*.ts'], forbidden: ['tools'] },
    // The skill reaches the linking half only through interfaces in models/, wired in deps.ts.
    { files: ['skill/**/*.ts'], forbidden: ['tools', 'linking'] },
    // models/ is what both halves share: it depends on neither.
    { files: ['models/**/*.ts'], forbidden: ['tools', 'linking', 'skill'] },
  ]),
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
