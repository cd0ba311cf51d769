// The host looks after itself: the container watchdog, the site-health verdict on the disks, the
// image prune, the journal's cap and the renewal's failure log, as rendered. Their behaviour on a
// real Docker and journald is test/sandbox/watchdog.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { containerTemplates, dataRoot, siteHealth } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { renderCertbotInstallScript, renderRenewFailureService, renderRenewService, renewFailureUnit } from "../../render/certificates";
import { renderDataDirectoriesScript } from "../../render/dataVolume";
import {
    renderDiskCareScript,
    renderHealthCheckCommand,
    renderImagePruneCommand,
    renderImagePruneService,
    renderJournaldDropIn,
} from "../../render/diskCare";
import { renderHostScripts } from "../../render/hostScripts";
import {
    intervalSeconds,
    renderWatchdogCommand,
    renderWatchdogScript,
    renderWatchdogService,
    renderWatchdogTimer,
    watchdogPeriodSeconds,
} from "../../render/watchdog";
import { prodSettings, prodValues } from "../harness/fixtures";
import { requireTool, run } from "../tools";

const settings = prodSettings();

describe("the container watchdog", () => {
    it("runs as often as the containers' health checks do, so each run finds about one new check", () => {
        const intervals = containerTemplates.flatMap((c) => (c.healthCheck ? [[c.name, intervalSeconds(c.healthCheck.interval)]] : []));
        expect(intervals.length).toBeGreaterThan(0);
        for (const [name, seconds] of intervals) expect([name, seconds]).toEqual([name, watchdogPeriodSeconds]);
        expect(renderWatchdogTimer()).toContain(`OnUnitActiveSec=${watchdogPeriodSeconds}s\n`);
        expect(renderWatchdogCommand(settings)).toContain(`period=\${SITE_WATCHDOG_PERIOD:-${watchdogPeriodSeconds}}\n`);
    });

    it("restarts after site:watchdogUnhealthyChecks checks in a row", () => {
        expect(renderWatchdogCommand(settings)).toContain(`\nchecks=${settings.watchdogUnhealthyChecks}\n`);
        const five = parseSettings({ ...prodValues(), watchdogUnhealthyChecks: 5 });
        expect(renderWatchdogCommand(five)).toContain("\nchecks=5\n");
        expect(renderWatchdogScript(five).script).not.toBe(renderWatchdogScript(settings).script);
    });

    it("says why it exists: Docker's restart policy restarts exited containers, never unhealthy ones", () => {
        expect(renderWatchdogCommand(settings)).toContain(
            "# Why: Docker's restart policy (unless-stopped) restarts a container whose process exits.\n",
        );
    });

    it("logs at warning priority under its own tag, with the container's last health check", () => {
        const command = renderWatchdogCommand(settings);
        expect(command).toContain('logger -t site-watchdog -p "daemon.$1"');
        expect(command).toMatch(/log warning "restarting \$name: .*Last health check: \$last"/);
        expect(command).toContain("{{range .State.Health.Log}}{{json .}}");
    });

    it("never starts Docker, which the data volume's release stops", () => {
        expect(renderWatchdogService()).not.toMatch(/^(Requires|Wants|BindsTo)=/m);
        expect(renderWatchdogCommand(settings)).toContain("systemctl is-active --quiet docker.service || exit 0\n");
    });
});

describe("the disks", () => {
    it("keep the site-health file by the stack's thresholds: the data volume's and the root disk's", () => {
        const strict = parseSettings({ ...prodValues(), alertThresholds: { dataVolumePercent: 70, diskPercent: 60 } });
        expect(renderHealthCheckCommand(strict)).toContain("\ndata_limit=70\nroot_limit=60\n");
        expect(renderHealthCheckCommand(settings)).toContain(
            `\ndata=${dataRoot}\ndir=${dataRoot}/${siteHealth.volume.name}\nfile=$dir/${siteHealth.file}\n`,
        );
    });

    it("give the proxy's nginx workers a site-health folder they can read", () => {
        expect(renderDataDirectoriesScript({ apps: [] }).script).toContain(
            `install -d -m 0755 -o 0 -g 0 ${dataRoot}/${siteHealth.volume.name}\n`,
        );
    });

    it("are pruned of images no container uses, with an until filter, never starting Docker", () => {
        expect(renderImagePruneCommand()).toContain("docker image prune --all --force --filter until=168h");
        expect(renderImagePruneService()).not.toMatch(/^(Requires|Wants|BindsTo)=/m);
    });

    it("hold a journal of at most 200 MB, and journald restarts when that changes", () => {
        expect(renderJournaldDropIn()).toMatch(/^\[Journal\]\nSystemMaxUse=200M\n$/m);
        const script = renderDiskCareScript(settings).script;
        expect(script).toContain("put_file /etc/systemd/journald.conf.d/50-site.conf 0644 <<'EOF' && journal_changed=1\n");
        expect(script).toContain('if [ "$journal_changed" -eq 1 ]; then\n    systemctl restart systemd-journald.service\nfi\n');
    });
});

describe("a failed certificate renewal", () => {
    it("starts a unit that logs it at error priority, naming the unit and where its output is", () => {
        expect(renderRenewService()).toContain(`\nOnFailure=${renewFailureUnit}.service\n`);
        expect(renderRenewFailureService()).toContain(
            'ExecStart=logger -p daemon.err -t site-certificates "site-certbot-renew.service failed: the site\'s certificates were not renewed. Its output: journalctl -u site-certbot-renew.service"\n',
        );
        // Run as systemd runs it, it must mean the same to a shell: no specifier, no variable.
        expect(renderRenewFailureService()).not.toMatch(/[%$]/);
        expect(renderCertbotInstallScript(settings).script).toContain(`put_file /etc/systemd/system/${renewFailureUnit}.service 0644`);
    });
});

describe("the host setup", () => {
    it("installs the disk care and the watchdog after the data directories, before the certificates", () => {
        const names = renderHostScripts(settings).map((s) => s.name);
        expect(names.slice(names.indexOf("40-data-dirs"), names.indexOf("50-certificates") + 1)).toEqual([
            "40-data-dirs",
            "42-disk-care",
            "45-watchdog",
            "50-certificates",
        ]);
    });

    it("installs commands that pass shellcheck", () => {
        requireTool("shellcheck", "shellcheck");
        const dir = mkdtempSync(join(tmpdir(), "host-commands-"));
        try {
            const commands = {
                "site-watchdog": renderWatchdogCommand(settings),
                "site-health-check": renderHealthCheckCommand(settings),
                "site-image-prune": renderImagePruneCommand(),
            };
            for (const [name, text] of Object.entries(commands)) writeFileSync(join(dir, name), text);
            const result = run("shellcheck", ["--severity=style", ...Object.keys(commands).map((name) => join(dir, name))]);
            expect(result.output).toBe("");
            expect(result.status).toBe(0);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});
