// Mail end to end, credentials never in clear: the real Ghost (./ghost/ghost.ts) as a container on
// a sandbox droplet set up by the rendered host scripts (UFW, Docker's settings), with the rendered
// mail settings, sends a member's sign-in email out through the droplet's firewall to a mail server
// on "the internet" (./host/smtp.js: the maintained smtp-server, with TLS from the test's CA, at the
// address the sandbox's DNS gives every name). A server that does not offer STARTTLS, as a man in
// the middle would not, gets no credentials and no mail. Ghost runs on SQLite (./ghost/ghost.ts,
// onSqlite): the one change to its rendered settings. Needs root.
import { ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { dataRoot, dataVolume, dataVolumes, ghost } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { ContainerSpec, renderContainers } from "../../render/containers";
import { renderDataVolumeHandover } from "../../render/dataVolume";
import { renderHostScripts } from "../../render/hostScripts";
import { placeholderSecrets } from "../../render/siteFiles";
import { prodValues } from "../harness/fixtures";
import { onSqlite, requireGhost } from "./ghost/ghost";
import { startContainers } from "./host/containers";
import { asCloudInitLeavesIt, makeKeys, runHostSetup, runScript } from "./host/provision";
import { addresses, engines, requireRootAndTools, Sandbox, sandboxAdminCidrs } from "./host/sandbox";
import { makeCertificates } from "./proxy/testCa";
import { stopProcess } from "./stopProcess";

const engine = engines.trixie;
const settings = parseSettings({ ...prodValues(), adminCidrs: sandboxAdminCidrs });
const secrets = placeholderSecrets();
const member = "reader@example.net";
const figures: Record<string, number | string> = {};

interface SmtpEvent {
    port: number;
    event: "listening" | "connect" | "auth" | "message" | "error";
    from?: string;
    secure?: boolean;
    username?: string;
    password?: string;
    to?: string[];
    data?: string;
}

let sandbox: Sandbox;
let stage = 0;
const servers: ChildProcess[] = [];
const smtpEvents: SmtpEvent[] = [];

/** Ghost's container as rendered for `smtpPort`, on SQLite in its content volume. */
function ghostFor(smtpPort: number): ContainerSpec<string> {
    const rendered = renderContainers(parseSettings({ ...prodValues(), smtpPort }), secrets, []).find((c) => c.name === ghost.name)!;
    return { ...rendered, env: onSqlite(rendered.env, dataVolumes.ghostContent.containerPath) };
}

/** Starts Ghost's container afresh (its content volume stays) and waits until it answers. */
function startGhost(spec: ContainerSpec<string>): void {
    sandbox.droplet("docker rm -f site-ghost > /dev/null 2>&1; docker network rm site > /dev/null 2>&1 || true");
    startContainers(sandbox.main, [spec], () => [], join(sandbox.work, `uploads-${++stage}`));
    const started = Date.now();
    sandbox.droplet(
        `for _ in $(seq 1 240); do
            ${inGhost("-O /dev/null", "/ghost/api/admin/site/")} 2> /dev/null && exit 0
            [ "$(docker inspect -f '{{.State.Running}}' site-ghost)" = true ] || break
            sleep 0.5
        done
        docker logs site-ghost >&2; exit 1`,
        150_000,
    );
    figures["Ghost container start to first answer ms"] = Date.now() - started;
}

/** A request to Ghost from inside its container, as the proxy passes it on (HTTPS at the edge). */
const inGhost = (options: string, path: string) =>
    `docker exec site-ghost wget -q ${options} --header 'X-Forwarded-Proto: https' http://127.0.0.1:2368${path}`;

/** What a visitor's browser does on "Sign up" (Ghost's Portal): an integrity token, then the magic link. */
function requestSignInEmail(): { status: "sent" | "refused"; output: string } {
    const token = sandbox.droplet(inGhost("-O -", "/members/api/integrity-token/")).trim();
    const body = JSON.stringify({ email: member, emailType: "signup", integrityToken: token });
    try {
        const output = sandbox.droplet(
            `${inGhost(`-O - --header 'Content-Type: application/json' --post-data '${body}'`, "/members/api/send-magic-link/")} 2>&1`,
        );
        return { status: "sent", output };
    } catch (error) {
        return { status: "refused", output: String((error as { stdout?: string }).stdout ?? error) };
    }
}

/** A mail server on the internet, at the address every name resolves to there. */
function startSmtpServer(port: number, mode: "starttls" | "no-starttls"): Promise<void> {
    const live = join(sandbox.work, "smtp-certificates/live", settings.smtpHost);
    const server = spawn(
        "ip",
        [
            "netns",
            "exec",
            sandbox.internetNs,
            process.execPath,
            join(__dirname, "host/smtp.js"),
            addresses.dnsAnswer,
            String(port),
            join(live, "fullchain.pem"),
            join(live, "privkey.pem"),
            mode,
        ],
        { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NODE_PATH: join(process.cwd(), "node_modules") } },
    );
    servers.push(server);
    let buffered = "";
    return new Promise((listening, failed) => {
        server.stdout.on("data", (chunk: Buffer) => {
            buffered += chunk.toString();
            for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
                const event = JSON.parse(buffered.slice(0, end)) as SmtpEvent;
                buffered = buffered.slice(end + 1);
                smtpEvents.push(event);
                if (event.event === "listening") listening();
                if (event.event === "error") failed(new Error(`the mail server on port ${port}: ${JSON.stringify(event)}`));
            }
        });
        server.once("exit", (code) => failed(new Error(`the mail server on port ${port} exited with ${code}`)));
    });
}

const eventsOn = (port: number) => smtpEvents.filter((e) => e.port === port);

/** Waits until the mail server on `port` has recorded `event`, or `ms` passed. */
async function waitFor(port: number, event: SmtpEvent["event"], ms = 30_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!eventsOn(port).some((e) => e.event === event) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

beforeAll(async () => {
    requireRootAndTools(engine);
    requireGhost();
    sandbox = new Sandbox(engine);
    sandbox.up();
    const keys = join(sandbox.work, "keys");
    makeKeys(keys, ["droplet"]);
    asCloudInitLeavesIt(sandbox.main, settings.adminUser, keys);
    sandbox.attachVolume(dataVolume.label);
    runHostSetup(sandbox.main, join(sandbox.work, "host"), join(keys, "host-droplet"), renderHostScripts(settings));
    const resume = runScript(sandbox.main, join(sandbox.work, "scripts"), renderDataVolumeHandover().resume);
    if (resume.status !== 0) throw new Error(`the data volume did not resume:\n${resume.output}`);
    const ca = join(sandbox.work, "smtp-certificates");
    makeCertificates(ca, [settings.smtpHost]);
    const at = Date.now();
    sandbox.main.buildGhostImage(ghostFor(settings.smtpPort).image, join(ca, "ca.pem"));
    figures["Ghost image build ms"] = Date.now() - at;
    await Promise.all([startSmtpServer(settings.smtpPort, "starttls"), startSmtpServer(587, "no-starttls")]);
    expect(sandbox.droplet(`mountpoint -q ${dataRoot} && echo mounted`)).toBe("mounted\n");
}, 600_000);

afterAll(async () => {
    console.log(`mail from the real Ghost on ${engine.name}: ${JSON.stringify(figures)}`);
    for (const server of servers) await stopProcess(server);
    sandbox?.down();
});

describe(`Ghost's rendered mail settings (${settings.smtpHost}:${settings.smtpPort}, STARTTLS required)`, () => {
    let result: ReturnType<typeof requestSignInEmail>;
    let message: SmtpEvent | undefined;

    beforeAll(async () => {
        startGhost(ghostFor(settings.smtpPort));
        const at = Date.now();
        result = requestSignInEmail();
        await waitFor(settings.smtpPort, "message");
        figures["sign-in email delivered ms"] = Date.now() - at;
        message = eventsOn(settings.smtpPort).find((e) => e.event === "message");
    }, 300_000);

    it("deliver a member's sign-in email through the droplet's firewall, over a real SMTP conversation", async () => {
        expect(result.status).toBe("sent");
        expect(message?.to).toEqual([member]);
        const mail = await simpleParser(message!.data!);
        // The configured address; Ghost names the sender after the site's title.
        expect(mail.from?.value.map((a) => a.address)).toEqual([/<(.*)>/.exec(settings.mailFrom)![1]]);
        // The token is base64url: letters, digits, `-` and `_` (one starting with `-` failed a CI run).
        expect(mail.text).toMatch(new RegExp(`https://${settings.services.ghost.hostname.replace(/\./g, "\\.")}/members/\\?token=[\\w-]+`));
        // It left through the droplet's NAT: the server saw the droplet's address, not the container's.
        expect(eventsOn(settings.smtpPort).find((e) => e.event === "connect")?.from).toMatch(new RegExp(`${addresses.droplet.v4}$`));
        figures["mail delivered"] =
            `${eventsOn(settings.smtpPort).filter((e) => e.event === "message").length} message, ${message!.data!.length} bytes: "${mail.subject}"`;
    });

    it("log in only after STARTTLS, with the configured user and password", () => {
        const auth = eventsOn(settings.smtpPort).filter((e) => e.event === "auth");
        expect(auth).toEqual([expect.objectContaining({ secure: true, username: settings.smtpUser, password: secrets.smtpPassword })]);
        expect(message?.secure).toBe(true);
    });
});

describe("a mail server that does not offer STARTTLS (as a man in the middle would not)", () => {
    let result: ReturnType<typeof requestSignInEmail>;

    beforeAll(async () => {
        startGhost(ghostFor(587));
        result = requestSignInEmail();
        await waitFor(587, "connect");
    }, 300_000);

    it("gets a connection, but no credentials and no mail; Ghost reports the failure", () => {
        expect(eventsOn(587).some((e) => e.event === "connect")).toBe(true);
        expect(eventsOn(587).filter((e) => e.event === "auth" || e.event === "message")).toEqual([]);
        expect(result.status).toBe("refused");
        expect(sandbox.droplet("docker logs site-ghost 2>&1")).toMatch(/STARTTLS/i);
    });
});
