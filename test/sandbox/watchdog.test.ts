// The host looks after itself (render/watchdog.ts, render/diskCare.ts, the renewal's failure log in
// render/certificates.ts), on a sandbox droplet set up by every rendered host script, with the
// real journald running in it (the logger shim, ./host/logger, only names its socket: the droplet
// shares this machine's /dev). systemd itself does not run in the sandbox: each unit's command is
// run as its installed unit's ExecStart= says, by the test, where systemd's timer would; systemd's
// own part (timers firing, OnFailure= starting its unit) is checked by `systemd-analyze verify`
// only. Needs root.
//
// Time is compressed for the watchdog: the stand-ins' health checks run every second and the
// watchdog every second (SITE_WATCHDOG_PERIOD=1), where production has 30 s for both; retries and
// the watchdog's counts are the same. So a period here is 30 s there, and ten minutes there are 20
// periods here. What does not shrink is Docker's own work (a restart, a check's exec), which weighs
// 30 times more here than on a droplet: the figures say both.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataRoot, siteHealth } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { renewFailureTag, renewFailureUnit, renewUnit } from "../../render/certificates";
import { renderDataVolumeHandover } from "../../render/dataVolume";
import {
    healthCheckUnit,
    healthTag,
    imagePruneTag,
    imagePruneUnit,
    journalMaxUse,
    renderHealthCheckCommand,
    siteHealthDir,
} from "../../render/diskCare";
import { renderHostScripts } from "../../render/hostScripts";
import { watchdogMaxWaitPeriods, watchdogPeriodSeconds, watchdogTag, watchdogUnit } from "../../render/watchdog";
import { prodValues } from "../harness/fixtures";
import { asCloudInitLeavesIt, makeKeys, runHostSetup, runScript } from "./host/provision";
import { engines, requireRootAndTools, Sandbox, sandboxAdminCidrs } from "./host/sandbox";

const engine = engines.trixie;
const settings = parseSettings({ ...prodValues(), adminCidrs: sandboxAdminCidrs });
const journald = "/lib/systemd/systemd-journald";
/** Not the data volume's label (below). */
const volumeLabel = "site-data-wd";
/** The test's timer period, in seconds: production's is watchdogPeriodSeconds. */
const period = 1;
const compression = watchdogPeriodSeconds / period;
const figures: Record<string, string | number> = {};

let sandbox: Sandbox;
const onDroplet = (command: string, timeoutMs?: number) => sandbox.droplet(command, timeoutMs);

/** A command's exit status and output (stdout and stderr) on the droplet. */
function tryOnDroplet(command: string, timeoutMs?: number): { status: number; output: string } {
    try {
        return { status: 0, output: onDroplet(`{ ${command}\n} 2>&1`, timeoutMs) };
    } catch (error) {
        const failed = error as { status: number; stdout: string };
        return { status: failed.status, output: failed.stdout };
    }
}

/** What systemd would run for an installed unit: its ExecStart= line. */
const execStart = (unit: string) => onDroplet(`sed -n 's/^ExecStart=//p' /etc/systemd/system/${unit}`).trim();

interface JournalEntry {
    readonly MESSAGE: string;
    readonly PRIORITY: string;
    readonly SYSLOG_IDENTIFIER: string;
    /** Microseconds since the epoch. */
    readonly __REALTIME_TIMESTAMP: string;
}

/** The journal's entries under a tag, as `journalctl -t TAG` shows them to an operator. */
const journal = (tag: string): JournalEntry[] =>
    onDroplet(`journalctl -t ${tag} -o json --no-pager`)
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as JournalEntry);

/** Entries logged after `sinceNs` (nanoseconds since the epoch, the droplet's clock). */
const journalSince = (tag: string, sinceNs: bigint) => journal(tag).filter((e) => BigInt(e.__REALTIME_TIMESTAMP) * 1000n >= sinceNs);

const nowNs = () => BigInt(onDroplet("date +%s%N").trim());

interface DockerEvent {
    readonly at: bigint;
    readonly container: string;
    readonly action: string;
}

/**
 * Docker's own record of what happens to `containers` from now on (kills, restarts, health
 * changes), kept by a `docker events` stream: dockerd keeps only its last 256 events, and every
 * health check is three. `stop()` ends the stream and gives the events.
 */
function recordEvents(containers: string[]): { stop(): DockerEvent[] } {
    const file = join(sandbox.work, `events-${containers.join("-")}`);
    const since = nowNs();
    onDroplet(
        `setsid docker events --since ${since / 1_000_000_000n}.${String(since % 1_000_000_000n).padStart(9, "0")} ${containers.map((c) => `--filter container=${c}`).join(" ")} --format '{{.TimeNano}} {{.Actor.Attributes.name}} {{.Action}}' > ${file} 2>&1 < /dev/null &
echo $! > ${file}.pid`,
    );
    return {
        stop: () => {
            onDroplet(`sleep 0.5; kill $(cat ${file}.pid)`);
            return readFileSync(file, "utf8")
                .split("\n")
                .filter((line) => line.trim() !== "")
                .map((line) => {
                    const [at, container, ...action] = line.split(" ");
                    return { at: BigInt(at), container, action: action.join(" ") };
                });
        },
    };
}

const periods = (ns: bigint) => Number(ns) / 1e9 / period;
const secondsText = (ns: bigint) => `${(Number(ns) / 1e9).toFixed(1)} s`;

/**
 * Runs the watchdog `count` times, one period apart (start to start, as OnUnitActiveSec= does),
 * with the installed unit's command and the test's period.
 */
function runWatchdog(count: number): void {
    onDroplet(
        `cmd=$(sed -n 's/^ExecStart=//p' /etc/systemd/system/${watchdogUnit}.service)
start=$(date +%s%N)
for i in $(seq 0 $((${count} - 1))); do
    target=$((start + i * ${period} * 1000000000))
    now=$(date +%s%N)
    if [ "$target" -gt "$now" ]; then
        sleep "$(((target - now) / 1000000000)).$(printf '%09d' $(((target - now) % 1000000000)))"
    fi
    SITE_WATCHDOG_PERIOD=${period} $cmd
done`,
        (count * period + 120) * 1000,
    );
}

/** Waits until a container's health is `status`. */
function waitForHealth(container: string, status: string): void {
    onDroplet(`for _ in $(seq 1 100); do
    [ "$(docker inspect --format '{{.State.Health.Status}}' ${container})" = ${status} ] && exit 0
    sleep 0.2
done
docker inspect --format '{{json .State.Health}}' ${container} >&2; exit 1`);
}

/** A container of the stand-in image with a health check at the test's pace; retries as production's. */
const standIn = (name: string, healthCommand: string, args = "8080") =>
    `docker run -d --name ${name} --restart unless-stopped --stop-timeout 5 --health-cmd '${healthCommand}' --health-interval ${period}s --health-timeout 1s --health-retries 3 site-standin:sandbox ${args} > /dev/null`;

/**
 * An image in Docker's save format, its build time (`created`) years ago as a pulled image's is, so
 * the prune's `until` filter alone would let it go: only being used can keep it.
 */
function loadOldImage(tag: string, rootfs: string): void {
    const dir = join(sandbox.work, `image-${tag.replace(/[:/]/g, "-")}`);
    mkdirSync(dir);
    execFileSync("tar", ["-C", rootfs, "-cf", join(dir, "layer.tar"), "."]);
    const diffId = createHash("sha256")
        .update(readFileSync(join(dir, "layer.tar")))
        .digest("hex");
    const config = {
        architecture: "amd64",
        os: "linux",
        created: "2020-01-01T00:00:00Z",
        config: {
            Entrypoint: ["/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done"],
            Labels: { "site.sandbox.tag": tag },
        },
        rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] },
    };
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    writeFileSync(join(dir, "manifest.json"), JSON.stringify([{ Config: "config.json", RepoTags: [tag], Layers: ["layer.tar"] }]));
    execFileSync("tar", ["-C", dir, "-cf", join(dir, "image.tar"), "manifest.json", "config.json", "layer.tar"]);
    onDroplet(`docker load -q -i ${join(dir, "image.tar")} > /dev/null`);
}

/** A root filesystem of busybox and `files` (path: content, executable). */
function rootfs(name: string, files: Record<string, string> = {}): string {
    const root = join(sandbox.work, `rootfs-${name}`);
    execFileSync("bash", [
        "-c",
        `set -e
mkdir -p ${root}/bin ${root}/tmp ${root}/etc
cp "$(command -v busybox)" ${root}/bin/busybox
for applet in sh sleep cat echo; do ln -sf busybox ${root}/bin/$applet; done
echo "root:x:0:0:root:/:/bin/sh" > ${root}/etc/passwd`,
    ]);
    for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content, { mode: 0o755 });
    return root;
}

beforeAll(() => {
    requireRootAndTools(engine);
    if (!existsSync(journald)) throw new Error(`${journald} is missing; install it with: apt-get install -y systemd (.ci/run does)`);
    sandbox = new Sandbox(engine);
    sandbox.up();
    symlinkSync(join(__dirname, "host/logger"), join(sandbox.work, "bin/logger"));
    const keys = join(sandbox.work, "keys");
    makeKeys(keys, ["droplet"]);
    asCloudInitLeavesIt(sandbox.main, settings.adminUser, keys);
    // The data volume: a loop device mounted on the data root before the host setup, which finds it
    // mounted. Under a label of its own, not DigitalOcean's: every sandbox droplet sees this
    // machine's block devices, and the rendered fstab mounts whichever carries that label first
    // (seen here: a concurrent drill's droplet mounting another test's volume). Mounting by label
    // is the firewall suite's to prove.
    sandbox.attachVolume(volumeLabel);
    onDroplet(`mkdir -p ${dataRoot} && mount ${sandbox.volumeDevice} ${dataRoot}`);
    const at = Date.now();
    runHostSetup(sandbox.main, join(sandbox.work, "host"), join(keys, "host-droplet"), renderHostScripts(settings));
    figures["host setup s"] = (Date.now() - at) / 1000;
    const resume = runScript(sandbox.main, join(sandbox.work, "scripts"), renderDataVolumeHandover().resume);
    if (resume.status !== 0) throw new Error(`the data volume did not resume:\n${resume.output}`);
    // journald as systemd starts it at boot, after the host setup's drop-in (the setup's restart of
    // it is the systemctl shim's no-op): its persistent journal in /var/log/journal as on Ubuntu,
    // flushed there as systemd-journal-flush.service does. Not this machine's kernel messages.
    onDroplet(`mkdir -p /var/log/journal /etc/systemd/journald.conf.d
printf '[Journal]\\nReadKMsg=no\\n' > /etc/systemd/journald.conf.d/90-sandbox.conf
setsid ${journald} > /dev/null 2>&1 < /dev/null &
for _ in $(seq 1 100); do [ -S /run/systemd/journal/dev-log ] && break; sleep 0.1; done
journalctl --flush`);
    sandbox.buildStandInImage([]);
}, 300_000);

afterAll(() => {
    console.log(`the host looks after itself, on ${engine.name}: ${JSON.stringify(figures, null, 1)}`);
    sandbox?.down();
});

describe("the host setup", () => {
    it("installs valid systemd units: the watchdog, the site-health check, the image prune, the renewal and its failure log", () => {
        const units = [
            `${watchdogUnit}.service`,
            `${watchdogUnit}.timer`,
            `${healthCheckUnit}.service`,
            `${healthCheckUnit}.timer`,
            `${imagePruneUnit}.service`,
            `${imagePruneUnit}.timer`,
            `${renewUnit}.service`,
            `${renewUnit}.timer`,
            `${renewFailureUnit}.service`,
        ];
        expect(onDroplet(`systemd-analyze verify ${units.map((u) => `/etc/systemd/system/${u}`).join(" ")} 2>&1`)).toBe("");
        expect(onDroplet(`sed -n 's/^OnFailure=//p' /etc/systemd/system/${renewUnit}.service`)).toBe(`${renewFailureUnit}.service\n`);
    });

    it("changes nothing and says nothing when the disk care and the watchdog run a second time", () => {
        for (const script of renderHostScripts(settings).filter((s) => ["42-disk-care", "45-watchdog"].includes(s.name))) {
            expect([script.name, runScript(sandbox.main, join(sandbox.work, "again"), script)]).toEqual([
                script.name,
                { status: 0, output: "" },
            ]);
        }
    });

    it(`caps the journal at ${journalMaxUse}: journald itself reports the cap it read`, () => {
        expect(journal("systemd-journald").map((e) => e.MESSAGE)).toContainEqual(
            expect.stringMatching(
                new RegExp(`^System Journal \\(/var/log/journal/.*\\) is .*, max ${journalMaxUse.replace("M", "\\.0M")}, `),
            ),
        );
    });

    it("keeps each container's log to 3 files of 10 MB (Docker's local driver, render/dockerDaemon.ts)", () => {
        // 40 MB of output from one container: more than its 3 files may hold.
        onDroplet(
            `docker run --name site-chatty --entrypoint /bin/busybox site-standin:sandbox sh -c 'busybox yes "a line the stand-in logs again and again" | busybox head -c 41943040' > /dev/null`,
            120_000,
        );
        const id = onDroplet("docker inspect --format '{{.Id}}' site-chatty").trim();
        const files = onDroplet(`cd "$SANDBOX_DISK/docker/containers/${id}/local-logs" && stat -c '%n %s' *`)
            .trim()
            .split("\n")
            .map((line) => ({ name: line.split(" ")[0], bytes: Number(line.split(" ")[1]) }));
        const total = files.reduce((sum, f) => sum + f.bytes, 0);
        figures["container log after 40 MB of output"] = `${files.map((f) => `${f.name} ${(f.bytes / 1e6).toFixed(1)} MB`).join(", ")}`;
        expect(files.length).toBeLessThanOrEqual(3);
        expect(total).toBeLessThanOrEqual(3 * 10 * 1024 * 1024);
        expect(onDroplet("docker inspect --format '{{json .HostConfig.LogConfig}}' site-chatty").trim()).toBe(
            '{"Type":"local","Config":{"max-file":"3","max-size":"10m"}}',
        );
        onDroplet("docker rm site-chatty > /dev/null");
    });
});

describe(`the watchdog (${settings.watchdogUnhealthyChecks} unhealthy checks in a row; periods and health checks ${compression} times shorter than production's)`, () => {
    const healingCheck = `printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 1 127.0.0.1 8080 2> /dev/null | busybox grep -q stand-in || { echo "nothing answers on port 8080"; exit 1; }`;
    const failingCheck = `echo "stand-in: the database does not answer"; exit 1`;

    it("restarts a container whose service died while it kept running, which brings it back healthy; once, logged, and its back-off starts over", () => {
        onDroplet(standIn("site-heals", healingCheck));
        waitForHealth("site-heals", "healthy");
        const recorder = recordEvents(["site-heals"]);
        // The fault: the service dies, the container (its shell) keeps running, so Docker's restart
        // policy never acts.
        const fault = nowNs();
        onDroplet("docker exec site-heals busybox killall httpd");
        const started = Date.now();
        // Long enough to heal and then stay healthy for the reset (20 periods).
        runWatchdog(40);
        figures["watchdog (a) run s"] = (Date.now() - started) / 1000;
        const events = recorder.stop();
        const first = (action: string, after = fault) => events.find((e) => e.action === action && e.at >= after)?.at;
        const unhealthy = first("health_status: unhealthy")!;
        const killed = first("kill", unhealthy)!;
        const restarted = first("restart", unhealthy)!;
        const healed = first("health_status: healthy", restarted)!;
        expect([unhealthy, killed, restarted, healed].every((at) => at !== undefined)).toBe(true);
        expect(events.filter((e) => e.action === "restart")).toHaveLength(1);
        expect(onDroplet("docker inspect --format '{{.State.Health.Status}}' site-heals").trim()).toBe("healthy");

        const restartItself = restarted - killed;
        figures["(a) fault to unhealthy (Docker: 3 failed checks)"] =
            `${secondsText(unhealthy - fault)} = ${periods(unhealthy - fault).toFixed(1)} periods`;
        figures["(a) unhealthy to restart (the watchdog)"] =
            `${secondsText(killed - unhealthy)} = ${periods(killed - unhealthy).toFixed(1)} periods`;
        figures["(a) the restart itself (docker restart, not compressed)"] = secondsText(restartItself);
        figures["(a) restart to healthy"] = secondsText(healed - restarted);
        figures["(a) unhealthy to healed, measured"] = secondsText(healed - unhealthy);
        figures["(a) unhealthy to healed, at production's pace"] =
            `${((Number(healed - unhealthy - restartItself) / 1e9) * compression + Number(restartItself) / 1e9).toFixed(0)} s (the compressed part ×${compression}, plus the restart itself)`;

        const logged = journalSince(watchdogTag, fault);
        const restarts = logged.filter((e) => e.MESSAGE.startsWith("restarting site-heals"));
        expect(restarts).toHaveLength(1);
        expect(restarts[0].PRIORITY).toBe("4");
        expect(restarts[0].MESSAGE).toMatch(
            new RegExp(
                `^restarting site-heals: unhealthy for ${settings.watchdogUnhealthyChecks} health checks in a row \\(restart 1 in a row; the next waits at least ${period} s\\)\\. Last health check: \\{.*"ExitCode":1,"Output":"[^"]*nothing answers on port 8080\\\\n"\\}$`,
            ),
        );
        expect(logged.map((e) => e.MESSAGE)).toEqual([
            restarts[0].MESSAGE,
            "site-heals is healthy again after restart 1 in a row",
            `site-heals has been healthy for ${20 * period} s: its restart back-off starts over`,
        ]);
        expect(onDroplet("ls /run/site-watchdog")).toBe("");
        onDroplet("docker rm -f site-heals > /dev/null");
    }, 300_000);

    it("restarts one that never recovers a bounded number of times, each logged, backing off; leaves containers not the site's alone", () => {
        const recorder = recordEvents(["site-never-heals", "not-the-sites"]);
        const start = nowNs();
        onDroplet(standIn("site-never-heals", failingCheck));
        onDroplet(standIn("not-the-sites", failingCheck));
        const began = Date.now();
        // One hour of production periods; its first ten minutes are the first 20.
        const hour = 3600 / watchdogPeriodSeconds;
        runWatchdog(hour);
        figures["watchdog (b) run s"] = (Date.now() - began) / 1000;
        const events = recorder.stop();
        // Each restart from its first step (docker restart's SIGTERM), as near as Docker records to the watchdog's decision.
        const restarts = events.filter((e) => e.container === "site-never-heals" && e.action === "kill").map((e) => periods(e.at - start));
        const tenMinutes = restarts.filter((at) => at <= 600 / watchdogPeriodSeconds);
        figures["(b) restarts in ten minutes (20 periods)"] = tenMinutes.length;
        figures["(b) restarts in an hour (120 periods)"] = restarts.length;
        figures["(b) restart times, in periods from the start"] = restarts.map((at) => at.toFixed(1)).join(", ");
        expect(tenMinutes.length).toBeGreaterThanOrEqual(1);
        expect(tenMinutes.length).toBeLessThanOrEqual(7);
        // Every wait between restarts is at least the back-off: 1, 2, 4 ... periods, capped.
        restarts
            .slice(1)
            .forEach((at, k) => expect(at - restarts[k]).toBeGreaterThanOrEqual(Math.min(2 ** k, watchdogMaxWaitPeriods) - 0.3));
        // Doubling from 1 over an hour with 5-period cycles: a handful, never one per cycle.
        expect(restarts.length).toBeLessThanOrEqual(8);
        expect(restarts.length).toBeLessThan(hour / 5);

        const logged = journalSince(watchdogTag, start).filter((e) => e.MESSAGE.includes("site-never-heals"));
        const restartLines = logged.filter((e) => e.MESSAGE.startsWith("restarting site-never-heals"));
        expect(restartLines).toHaveLength(restarts.length);
        restartLines.forEach((e, k) => {
            expect(e.PRIORITY).toBe("4");
            expect(e.MESSAGE).toContain(`(restart ${k + 1} in a row;`);
            expect(e.MESSAGE).toContain('"Output":"stand-in: the database does not answer\\n"');
        });
        // A restart held back is said once per wait, not every period.
        const held = logged.filter((e) => e.MESSAGE.includes("the next waits") && !e.MESSAGE.startsWith("restarting"));
        expect(held.length).toBeLessThanOrEqual(restarts.length);
        figures["(b) restarts held back (logged once each)"] = held.length;

        expect(events.filter((e) => e.container === "not-the-sites" && e.action === "kill")).toEqual([]);
        expect(events.filter((e) => e.container === "site-never-heals" && e.action === "restart")).toHaveLength(restarts.length);
        expect(onDroplet("docker inspect --format '{{.State.Health.Status}}' not-the-sites").trim()).toBe("unhealthy");
        onDroplet("docker rm -f site-never-heals not-the-sites > /dev/null");
    }, 400_000);
});

describe(`the image prune (${imagePruneUnit})`, () => {
    it("removes an unused image and keeps those a container uses, running, stopped or never started", () => {
        const root = rootfs("old");
        const tags = ["site-old:running", "site-old:exited", "site-old:created", "site-old:unused"];
        for (const tag of tags) loadOldImage(tag, root);
        // Built now, unused: the until filter keeps it.
        onDroplet(`tar -C ${root} -c . | docker import - site-new:unused > /dev/null`);
        onDroplet(`docker run -d --name uses-running site-old:running > /dev/null
docker run --name uses-exited --entrypoint /bin/sh site-old:exited -c 'exit 0'
docker create --name uses-created site-old:created > /dev/null`);
        const before = nowNs();
        const result = tryOnDroplet(execStart(`${imagePruneUnit}.service`));
        expect(result).toEqual({ status: 0, output: "" });
        const left = onDroplet(`docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -E '^site-(old|new):' | sort`);
        expect(left.trim().split("\n")).toEqual(["site-new:unused", "site-old:created", "site-old:exited", "site-old:running"]);
        const logged = journalSince(imagePruneTag, before);
        expect(logged.map((e) => [e.PRIORITY, e.MESSAGE])).toEqual([
            ["6", expect.stringMatching(/^removed unused images: site-old:unused; reclaimed \S+/)],
        ]);
        onDroplet("docker rm -f uses-running uses-exited uses-created > /dev/null");
    });
});

describe(`the site-health file (${siteHealthDir}/${siteHealth.file})`, () => {
    const okFile = `${siteHealthDir}/${siteHealth.file}`;
    const check = () => tryOnDroplet(execStart(`${healthCheckUnit}.service`));
    const present = () => onDroplet(`test -e ${okFile} && echo yes || echo no`).trim() === "yes";

    it("is written while the disks have room, holding just ok (the figures are the journal's: anyone may read the file), readable by the proxy's nginx user through its read-only mount", () => {
        const before = nowNs();
        expect(check()).toEqual({ status: 0, output: "" });
        expect(onDroplet(`stat -c '%a %U' ${siteHealthDir} ${okFile}`)).toBe("755 root\n644 root\n");
        const line = onDroplet(
            `docker run --rm --user 101:101 -v ${siteHealthDir}:${siteHealth.volume.containerPath}:ro --entrypoint /bin/cat site-standin:sandbox ${siteHealth.volume.containerPath}/${siteHealth.file}`,
        );
        expect(line).toBe("ok\n");
        expect(journalSince(healthTag, before).map((e) => [e.PRIORITY, e.MESSAGE])).toEqual([
            ["5", expect.stringMatching(/^ok: data volume/)],
        ]);
    });

    it(`is removed while the data volume is ${settings.alertThresholds.dataVolumePercent}% full or more, logged once; back once there is room`, () => {
        const before = nowNs();
        onDroplet(`size=$(df --output=size -k ${dataRoot} | tail -n 1); avail=$(df --output=avail -k ${dataRoot} | tail -n 1)
fallocate -l $((avail - size / 20))K ${dataRoot}/filler`);
        expect(check()).toEqual({ status: 0, output: "" });
        expect(check()).toEqual({ status: 0, output: "" });
        expect(present()).toBe(false);
        onDroplet(`rm ${dataRoot}/filler`);
        expect(check()).toEqual({ status: 0, output: "" });
        expect(present()).toBe(true);
        expect(journalSince(healthTag, before).map((e) => [e.PRIORITY, e.MESSAGE])).toEqual([
            [
                "4",
                expect.stringMatching(
                    new RegExp(
                        `^not ok: data volume 9\\d% used \\(alert at 85%\\), root disk \\d+% used \\(alert at 85%\\); ${siteHealth.path} answers 503 until there is room$`,
                    ),
                ),
            ],
            ["5", expect.stringMatching(/^ok: data volume \d% used/)],
        ]);
    });

    it("is removed while the root disk is at its limit (site:alertThresholds.diskPercent)", () => {
        const rootUsed = Number(onDroplet("df --output=pcent / | tail -n 1 | tr -dc 0-9"));
        const strict = parseSettings({
            ...prodValues(),
            adminCidrs: sandboxAdminCidrs,
            alertThresholds: { diskPercent: Math.max(rootUsed, 1) },
        });
        const path = join(sandbox.work, "site-health-check-strict");
        writeFileSync(path, renderHealthCheckCommand(strict));
        const before = nowNs();
        expect(tryOnDroplet(`bash ${path}`)).toEqual({ status: 0, output: "" });
        expect(present()).toBe(false);
        expect(journalSince(healthTag, before).map((e) => e.MESSAGE)).toEqual([
            expect.stringContaining(`root disk ${rootUsed}% used (alert at ${Math.max(rootUsed, 1)}%)`),
        ]);
        expect(check()).toEqual({ status: 0, output: "" });
        expect(present()).toBe(true);
    });
});

describe("a failed certificate renewal", () => {
    it("fails the renewal unit, and its OnFailure= unit logs it at error priority, naming the unit and where its output is", () => {
        // A certbot that fails as a real one does when Cloudflare refuses the token.
        const root = rootfs("certbot", {
            "certbot.sh":
                "#!/bin/sh\necho 'Error determining zone_id: 9109 Invalid access token. Please confirm that you have supplied valid Cloudflare API credentials.' >&2\nexit 1\n",
        });
        onDroplet(`tar -C ${root} -c . | docker import --change 'ENTRYPOINT ["/certbot.sh"]' - ${settings.certbotImage} > /dev/null
install -d -m 0700 /srv/site/secrets && echo 'dns_cloudflare_api_token = refused' > /srv/site/secrets/cloudflare.ini`);
        const renewal = tryOnDroplet(execStart(`${renewUnit}.service`), 120_000);
        expect(renewal.status).not.toBe(0);
        expect(renewal.output).toContain("Invalid access token");
        // systemd would now start the OnFailure= unit; the sandbox has no systemd, so the test does.
        const onFailure = onDroplet(`sed -n 's/^OnFailure=//p' /etc/systemd/system/${renewUnit}.service`).trim();
        const before = nowNs();
        expect(tryOnDroplet(execStart(onFailure))).toEqual({ status: 0, output: "" });
        expect(journalSince(renewFailureTag, before).map((e) => [e.PRIORITY, e.MESSAGE])).toEqual([
            ["3", `${renewUnit}.service failed: the site's certificates were not renewed. Its output: journalctl -u ${renewUnit}.service`],
        ]);
    });
});

describe("while the data volume is released (Docker stopped, the volume unmounted)", () => {
    it("writes nothing on the bare mount point, says so once, and the watchdog and the prune leave Docker stopped", () => {
        const release = runScript(sandbox.main, join(sandbox.work, "scripts"), renderDataVolumeHandover().release);
        expect(release.status).toBe(0);
        const before = nowNs();
        for (const unit of [healthCheckUnit, healthCheckUnit, watchdogUnit, imagePruneUnit]) {
            expect(tryOnDroplet(`${execStart(`${unit}.service`)}`)).toEqual({ status: 0, output: "" });
        }
        expect(onDroplet(`mountpoint -q ${dataRoot} && echo mounted; ls -A ${dataRoot}`)).toBe("");
        expect(journalSince(healthTag, before).map((e) => [e.PRIORITY, e.MESSAGE])).toEqual([
            ["4", `the data volume is not mounted on ${dataRoot}: no verdict until it is`],
        ]);
        expect(journalSince(watchdogTag, before)).toEqual([]);
        expect(tryOnDroplet("systemctl is-active --quiet docker.service").status).not.toBe(0);
    });
});
