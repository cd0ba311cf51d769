// Sandbox project, after every test, while its sandbox is still up: this machine's network unchanged.
import { readFileSync } from "node:fs";
import { baselineVariable, expectHostNetworkUnchanged } from "./hostNetwork";

afterEach(() => {
    const file = process.env[baselineVariable];
    if (!file) throw new Error(`${baselineVariable} is not set: run the sandbox suites with npm run test:sandbox`);
    expectHostNetworkUnchanged(readFileSync(file, "utf8"), `during "${expect.getState().currentTestName}"`);
});
