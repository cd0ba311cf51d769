// A bad stack config stops the program before it registers a single resource.
import type { SecretName } from "../../config/schema";
import { evaluate, evaluateFailing } from "../harness/evaluate";
import { testSecrets } from "../harness/fixtures";

const allSecretsBut = (missing: SecretName) => Object.fromEntries(Object.entries(testSecrets).filter(([name]) => name !== missing));

it("fails on a duplicate hostname with no resource registered", async () => {
    const failed = await evaluateFailing({
        change: (values) => {
            (values.services as Record<string, { hostname: string }>).portainer.hostname = "example.com";
        },
    });
    expect(failed.message).toMatch(/site:services\.portainer\.hostname: "example\.com" is already the hostname of ghost/);
    expect(failed.registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
});

it("fails on a missing secret, naming its environment variable, with no resource registered", async () => {
    const failed = await evaluateFailing({ secrets: allSecretsBut("digitaloceanToken") });
    expect(failed.message).toMatch(/digitalocean:token: secret is not set.*DIGITALOCEAN_TOKEN/);
    expect(failed.registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
});

it("takes a token from its environment variable when the config has none", async () => {
    const site = await evaluate({ secrets: allSecretsBut("digitaloceanToken"), env: { DIGITALOCEAN_TOKEN: "token-from-env" } });
    expect(site.one("pulumi:providers:digitalocean").inputs.token).toBe("token-from-env");
});
