/** @type {import('jest').Config} */
module.exports = {
    preset: "ts-jest",
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    // Type-checking is `tsc --noEmit` in `npm test`; ts-jest only transpiles.
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    testTimeout: 60000,
    // protobufjs (in the Pulumi SDK) leaves a global behind; keep it between test files.
    testEnvironmentOptions: { globalsCleanup: "off" },
};
