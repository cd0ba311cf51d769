// Two projects, told apart by folder: `unit` (npm test; no root, writes only to temporary folders)
// and `sandbox` (npm run test:sandbox; root: network namespaces, dockerd, nginx, sshd), whose
// setup checks that this machine's own network is the same before, during and after.
/** @type {import('jest').Config} */
const shared = {
    preset: "ts-jest",
    testEnvironment: "node",
    // Type-checking is `tsc --noEmit` in `npm test`; ts-jest only transpiles.
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    // protobufjs (in the Pulumi SDK) leaves a global behind; keep it between test files.
    testEnvironmentOptions: { globalsCleanup: "off" },
};

/** @type {import('jest').Config} */
module.exports = {
    testTimeout: 60000,
    projects: [
        {
            ...shared,
            displayName: "unit",
            roots: ["<rootDir>/test/unit"],
            globalSetup: "<rootDir>/test/unit/checkout.setup.ts",
            globalTeardown: "<rootDir>/test/unit/checkout.teardown.ts",
        },
        {
            ...shared,
            displayName: "sandbox",
            roots: ["<rootDir>/test/sandbox"],
            globalSetup: "<rootDir>/test/sandbox/hostNetwork.setup.ts",
            globalTeardown: "<rootDir>/test/sandbox/hostNetwork.teardown.ts",
            setupFilesAfterEnv: ["<rootDir>/test/sandbox/hostNetwork.afterEach.ts"],
        },
    ],
};
