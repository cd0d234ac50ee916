import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // services/web/src/static/: the webmail's browser script, plain JS outside the TypeScript program.
  { ignores: ['node_modules/', '.stack/', 'crds/', 'docs/screenshots/', 'services/web/src/static/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // An un-awaited promise in a mail path is how mail gets lost: every one must be handled.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        // Header injection (issue 5): user data must never reach nodemailer's unencoded header paths.
        { selector: "Property[key.name='prepared'][value.value=true]", message: "nodemailer 'prepared' headers bypass encoding; never use them" },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
