// A bad stack config stops the program before it registers a single resource.
import type { SecretName } from "../../config/schema";
import { evaluate, evaluateFailing } from "../harness/evaluate";
import { parseSettings } from "../../config/schema";
import { prodValues, testSecrets } from "../harness/fixtures";

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

it("reads the same values as render and check: a quoted number, a list set item by item", async () => {
    // `pulumi config set site:dataVolumeSizeGb 20` stores "20"; --path 'site:adminCidrs[1]' a YAML list.
    const change = (values: Record<string, unknown>) => {
        values.dataVolumeSizeGb = "20";
        values.adminCidrs = ["198.51.100.7/32", "2001:db8::7/128"];
    };
    const site = await evaluate({ change });
    const values = prodValues();
    change(values);
    const settings = parseSettings(values);
    expect(site.one("digitalocean:index/volume:Volume").inputs.size).toBe(settings.dataVolumeSizeGb);
    expect(settings.dataVolumeSizeGb).toBe(20);
});

it("fails on a key set without --path with the command that sets it right, and no resource registered", async () => {
    const failed = await evaluateFailing({ change: (values) => (values["adminCidrs.0"] = "198.51.100.7/32") });
    expect(failed.message).toContain("pulumi config rm site:adminCidrs.0 && pulumi config set --path 'site:adminCidrs[0]'");
    expect(failed.registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
});
