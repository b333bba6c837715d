import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'dist-cli/', 'dist-firefox/', 'node_modules/', '.venv*/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core must stay free of browser and Node APIs so it runs unchanged everywhere.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'chrome', 'browser', 'window', 'document', 'process', 'Buffer', 'require'],
      'no-restricted-imports': [
        'error',
        { paths: ['fs', 'path', 'crypto', 'zlib', 'webextension-polyfill', 'react', 'react-dom'], patterns: ['node:*'] },
      ],
      // Byte-level codecs match control characters on purpose.
      'no-control-regex': 'off',
    },
  },
);
