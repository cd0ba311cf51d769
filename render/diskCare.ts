// The disks stay healthy with nobody logging in: the host's verdict on their room for the uptime
// check (the site-health file), unused images pruned, the journal capped. Container logs are
// rotated by Docker itself (render/dockerDaemon.ts: the local driver, 3 files of 10 MB each).
import { dataRoot, siteHealth } from "../config/catalogue";
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";
import { command, installLines, unit } from "./systemdUnits";

export const healthCheckCommand = "/usr/local/sbin/site-health-check";
export const healthCheckUnit = "site-health-check";
/** The journal tag of the verdict's changes: `journalctl -t site-health`. */
export const healthTag = "site-health";
export const siteHealthDir = `${dataRoot}/${siteHealth.volume.name}`;

export const imagePruneCommand = "/usr/local/sbin/site-image-prune";
export const imagePruneUnit = "site-image-prune";
export const imagePruneTag = "site-image-prune";
/**
 * `until` compares an image's build time (its Created), not when it was pulled: images built in
 * the last week stay, used or not. Whatever a container uses stays whatever its age.
 */
export const imagePruneUntil = "168h";

export const journaldDropIn = "/etc/systemd/journald.conf.d/50-site.conf";
/** The journal's cap on the droplet's disk (journald's default: 10% of the filesystem, up to 4 GB). */
export const journalMaxUse = "200M";

/** The command the health check timer runs; `npm run render` shows it inside 42-disk-care.sh. */
export function renderHealthCheckCommand(settings: Settings): string {
    const { dataVolumePercent, diskPercent } = settings.alertThresholds;
    return `#!/usr/bin/env bash
# site-health-check: the host's verdict on its disks' room, for the uptime check.
# Rendered by render/diskCare.ts; installed by the host setup; run by ${healthCheckUnit}.timer every minute.
#
# While the data volume (${dataRoot}) is below ${dataVolumePercent}% used (site:alertThresholds.dataVolumePercent)
# and the root disk below ${diskPercent}% (diskPercent), the file ${siteHealth.file} in the site-health data
# volume holds just "ok" (the figures go to the journal: anyone may read the file); otherwise the
# file is removed. The proxy mounts that folder read-only and serves the file at ${siteHealth.path}:
# without it, 503, which the uptime check alerts on. DigitalOcean's own alerts watch the droplet, never a volume. Every change of the
# verdict is logged: journalctl -t ${healthTag}.
set -euo pipefail

data=${dataRoot}
dir=${siteHealthDir}
file=$dir/${siteHealth.file}
data_limit=${dataVolumePercent}
root_limit=${diskPercent}
# The last verdict, so only a change is logged (and the first after a boot).
last_file=/run/${healthCheckUnit}.last

log() {
    logger -t ${healthTag} -p "daemon.$1" -- "$2"
}

used() {
    df --output=pcent "$1" | tail -n 1 | tr -dc '0-9'
}

last=$(cat "$last_file" 2> /dev/null || true)
if ! mountpoint -q "$data"; then
    # Never onto the bare mount point: the file would sit on the droplet's own disk, hidden
    # once the volume is mounted over it. Nothing serves it meanwhile: Docker waits for the volume.
    verdict=unmounted
    message="the data volume is not mounted on $data: no verdict until it is"
else
    data_used=$(used "$data")
    root_used=$(used /)
    detail="data volume $data_used% used (alert at $data_limit%), root disk $root_used% used (alert at $root_limit%)"
    if [ "$data_used" -lt "$data_limit" ] && [ "$root_used" -lt "$root_limit" ]; then
        verdict=ok
        message="ok: $detail"
        [ -d "$dir" ] || install -d -m 0755 "$dir"
        # Written aside and renamed: the proxy reads the whole line or the previous one.
        tmp=$(mktemp "$dir/.${siteHealth.file}.XXXXXX")
        echo ok > "$tmp"
        chmod 0644 "$tmp"
        mv -f "$tmp" "$file"
    else
        verdict=full
        message="not ok: $detail; ${siteHealth.path} answers 503 until there is room"
        rm -f "$file"
    fi
fi
if [ "$verdict" != "$last" ]; then
    case $verdict in
        ok) log notice "$message" ;;
        *) log warning "$message" ;;
    esac
    echo "$verdict" > "$last_file"
fi
`;
}

export function renderHealthCheckService(): string {
    return `[Unit]
Description=Keep the site-health file while the disks have room
Documentation=file://${healthCheckCommand}
After=local-fs.target

[Service]
Type=oneshot
ExecStart=${healthCheckCommand}
`;
}

export function renderHealthCheckTimer(): string {
    return `[Unit]
Description=Check the disks' room for the site-health file every minute

[Timer]
OnActiveSec=10s
OnUnitActiveSec=1min
AccuracySec=1s

[Install]
WantedBy=timers.target
`;
}

/** The command the prune timer runs. */
export function renderImagePruneCommand(): string {
    return `#!/usr/bin/env bash
# site-image-prune: removes the images no container uses, so old versions do not fill the disk.
# Rendered by render/diskCare.ts; installed by the host setup; run by ${imagePruneUnit}.timer daily.
#
# Every deploy that bumps an image leaves the old one behind (the Apps component keeps images
# locally). docker image prune --all removes only images no container uses, running or stopped
# (test/sandbox/watchdog.test.ts proves it). until=${imagePruneUntil} compares an image's build time, not
# when it was pulled: images built in the last week stay too. What went is logged:
# journalctl -t ${imagePruneTag}.
set -euo pipefail

# A stopped Docker (the data volume's release stops it) is left stopped: asking it anything
# would start it again through its socket.
systemctl is-active --quiet docker.service || exit 0
out=$(docker image prune --all --force --filter until=${imagePruneUntil})
if grep -q '^deleted: ' <<< "$out"; then
    removed=$(sed -n 's/^untagged: //p' <<< "$out" | grep -v '@' | paste -sd ' ' -) || true
    reclaimed=$(sed -n 's/^Total reclaimed space: //p' <<< "$out")
    logger -t ${imagePruneTag} -p daemon.info -- "removed unused images: \${removed:-untagged ones}; reclaimed $reclaimed"
fi
`;
}

export function renderImagePruneService(): string {
    return `[Unit]
Description=Remove the images no container uses
Documentation=file://${imagePruneCommand}
# Never Requires= Docker: the command leaves a stopped Docker stopped.
After=docker.service

[Service]
Type=oneshot
ExecStart=${imagePruneCommand}
`;
}

export function renderImagePruneTimer(): string {
    return `[Unit]
Description=Remove unused images once a day

[Timer]
OnCalendar=*-*-* 03:00:00
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
`;
}

export function renderJournaldDropIn(): string {
    return `# Rendered by render/diskCare.ts: the journal's cap on the droplet's disk (journald's default is
# 10% of the filesystem, up to 4 GB). The oldest entries go first.
[Journal]
SystemMaxUse=${journalMaxUse}
`;
}

/** The host setup's part: the site-health check, the image prune, the journal's cap. */
export const renderDiskCareScript = (settings: Settings): HostScript =>
    script(
        "42-disk-care",
        "the disks stay healthy: the site-health verdict on their room, unused images pruned daily, the journal capped.",
        `
journal_changed=0
put_file ${journaldDropIn} 0644 <<'EOF' && journal_changed=1
${renderJournaldDropIn().trimEnd()}
EOF
if [ "$journal_changed" -eq 1 ]; then
    systemctl restart systemd-journald.service
fi
${installLines(
    [
        command(healthCheckCommand, renderHealthCheckCommand(settings)),
        unit(`${healthCheckUnit}.service`, renderHealthCheckService()),
        unit(`${healthCheckUnit}.timer`, renderHealthCheckTimer()),
        command(imagePruneCommand, renderImagePruneCommand()),
        unit(`${imagePruneUnit}.service`, renderImagePruneService()),
        unit(`${imagePruneUnit}.timer`, renderImagePruneTimer()),
    ],
    [`${healthCheckUnit}.timer`, `${imagePruneUnit}.timer`],
)}
`,
    );
