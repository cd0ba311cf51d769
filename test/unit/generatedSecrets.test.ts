// Secrets the site can make itself, it makes: a newcomer sets only what comes from outside (the
// tokens, the SMTP password); MySQL's password, Jupyter's token and the management password are
// random, kept in state as secrets, and given back as a secret stack output.
import { secretSources } from "../../config/schema";
import { evaluate, evaluateFailing, Evaluation } from "../harness/evaluate";
import { outsideSecrets, testSecrets } from "../harness/fixtures";
import { types } from "../harness/resourceTypes";

const envOf = (site: Evaluation, container: string) => site.one(types.container, container).inputs.envs as string[];
/** What the mock provider makes for a RandomPassword (test/harness/resourceTypes.ts). */
const generated = (name: string) => `generated-site-${name}`;

describe("a newcomer's stack, with only the secrets from outside", () => {
    let site: Evaluation;
    beforeAll(async () => {
        site = await evaluate({ secrets: outsideSecrets });
    });

    it("makes the three passwords, 32 letters and digits each", () => {
        const made = site.all(types.randomPassword);
        expect(made.map((r) => r.name).sort()).toEqual(["site-jupyterToken", "site-managementPassword", "site-mysqlPassword"]);
        for (const password of made) expect(password.inputs).toEqual(expect.objectContaining({ length: 32, special: false }));
    });

    it("gives MySQL and Ghost the same generated password, and Jupyter its token", () => {
        const mysql = generated("mysqlPassword");
        expect(envOf(site, "site-mysql")).toContain(`MYSQL_PASSWORD=${mysql}`);
        expect(envOf(site, "site-ghost")).toContain(`database__connection__password=${mysql}`);
        expect(envOf(site, "site-jupyter")).toContain(`JUPYTER_TOKEN=${generated("jupyterToken")}`);
        expect(site.one(types.container, "site-ghost").secretInputs).toContain("envs");
    });

    it("hands the logins out as one secret stack output", () => {
        expect(site.secretOutputs).toContain("logins");
        expect(site.outputs.logins).toEqual({
            management: { url: "https://portainer.example.com", user: "admin", password: generated("managementPassword") },
            jupyter: { url: "https://jupyter.example.com", token: generated("jupyterToken") },
            mysqlPassword: generated("mysqlPassword"),
        });
    });
});

describe("a stack that set its own passwords", () => {
    it("keeps its values and makes nothing", async () => {
        const site = await evaluate({ secrets: testSecrets });
        expect(site.all(types.randomPassword)).toEqual([]);
        expect(envOf(site, "site-mysql")).toContain(`MYSQL_PASSWORD=${testSecrets.mysqlPassword}`);
    });

    it("keeps the one it set and makes the others", async () => {
        const site = await evaluate({ secrets: { ...outsideSecrets, mysqlPassword: testSecrets.mysqlPassword } });
        expect(
            site
                .all(types.randomPassword)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["site-jupyterToken", "site-managementPassword"]);
        expect(envOf(site, "site-mysql")).toContain(`MYSQL_PASSWORD=${testSecrets.mysqlPassword}`);
    });
});

describe("a restore into a new stack (docs/operations.md, Restore into a new stack)", () => {
    const restore = (values: Record<string, unknown>) => (values.restoreVolumeSnapshot = "0d1a5e5c-6f0a-4c6b-9a43-4d5e6f708192");

    it("is refused, before any resource, while the old stack's MySQL and management passwords are not set", async () => {
        const failed = await evaluateFailing({ change: restore, secrets: outsideSecrets });
        for (const name of ["mysqlPassword", "managementPassword"] as const) {
            expect(failed.message).toContain(`${secretSources[name].key}: site:restoreVolumeSnapshot brings another stack's data`);
        }
        expect(failed.message).toContain("pulumi stack output logins --show-secrets --stack <old stack>");
        expect(failed.registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });

    it("runs the restored database with the old stack's password, taken from its logins output", async () => {
        const old = await evaluate({ secrets: outsideSecrets });
        const { mysqlPassword, management } = old.outputs.logins as { mysqlPassword: string; management: { password: string } };
        const restored = await evaluate({
            stack: "staging",
            change: restore,
            secrets: { ...outsideSecrets, mysqlPassword, managementPassword: management.password },
        });
        expect(envOf(restored, "site-mysql")).toContain(`MYSQL_PASSWORD=${mysqlPassword}`);
        expect(envOf(restored, "site-ghost")).toContain(`database__connection__password=${mysqlPassword}`);
        expect(restored.all(types.randomPassword).map((r) => r.name)).toEqual(["site-jupyterToken"]);
    });
});
