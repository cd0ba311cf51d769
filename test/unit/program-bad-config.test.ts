// A bad stack config stops the program before it registers a single resource.
import { testSecrets } from "./fixtures";
import { installMocks, registeredInputs } from "./mocks";
import { setStackConfig } from "./stackConfig";

beforeEach(() => {
    delete process.env.DIGITALOCEAN_TOKEN;
    delete process.env.CLOUDFLARE_API_TOKEN;
    installMocks();
});

const loadProgram = () => jest.isolateModulesAsync(async () => void (await import("../index")));

it("fails on a duplicate hostname with no resource registered", async () => {
    setStackConfig("prod", (values) => {
        (values.services as Record<string, { hostname: string }>).portainer.hostname = "example.com";
    });
    await expect(loadProgram()).rejects.toThrow(/site:services\.portainer\.hostname: "example\.com" is already the hostname of ghost/);
    expect(registeredInputs).toEqual([]);
});

it("fails on a missing secret, naming its environment variable, with no resource registered", async () => {
    const { digitaloceanToken: _unset, ...rest } = testSecrets;
    setStackConfig("prod", () => undefined, rest);
    await expect(loadProgram()).rejects.toThrow(/digitalocean:token: secret is not set.*DIGITALOCEAN_TOKEN/);
    expect(registeredInputs).toEqual([]);
});

it("takes a token from its environment variable when the config has none", async () => {
    const { digitaloceanToken: _unset, ...rest } = testSecrets;
    setStackConfig("prod", () => undefined, rest);
    process.env.DIGITALOCEAN_TOKEN = "token-from-env";
    await expect(loadProgram()).resolves.toBeUndefined();
});
