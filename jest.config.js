/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (tsconfig isolatedModules); `tsc --noEmit` type-checks in `npm test`.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  // Snapshots are written on purpose (`npm run test:update`), never silently in CI.
  ci: true,
  maxWorkers: 2,
};
