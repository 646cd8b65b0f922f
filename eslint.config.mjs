// Lint rules of the project (`npm run lint`; part of `npm test`). Formatting is prettier's job
// (`npm run format`), so nothing here is about layout.
import js from "@eslint/js";
import jsdoc from "eslint-plugin-jsdoc";
import simpleImportSort from "eslint-plugin-simple-import-sort";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  { ignores: ["node_modules/", "cdktf.out/", "dist/", "coverage/", ".gen/", "scratch/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { jsdoc, "simple-import-sort": simpleImportSort },
    rules: {
      "simple-import-sort/imports": "error",
      "simple-import-sort/exports": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Every exported class and function says what it is for.
      "jsdoc/require-jsdoc": [
        "error",
        {
          publicOnly: true,
          require: {
            ClassDeclaration: true,
            FunctionDeclaration: true,
            ArrowFunctionExpression: true,
            FunctionExpression: true,
          },
        },
      ],
    },
  },
  {
    // Construct, stack and configuration errors reach the operator at synth time: they must be a
    // ValidationError or ConfigError (named setting, value received, what is allowed), which
    // scripts/synth.js prints without a stack trace.
    files: ["constructs/**/*.ts", "stacks/**/*.ts", "config/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "ThrowStatement > NewExpression[callee.name='Error']",
          message: "Throw a ValidationError (constructs/validation-error.ts) or ConfigError, not a bare Error.",
        },
        {
          selector: "ThrowStatement > CallExpression[callee.name='Error']",
          message: "Throw a ValidationError (constructs/validation-error.ts) or ConfigError, not a bare Error.",
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: {
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        __filename: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Type-aware checks where they pay: the scripts are the only async code.
    files: ["scripts/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { "@typescript-eslint/no-floating-promises": "error", "@typescript-eslint/no-misused-promises": "error" },
  },
);
