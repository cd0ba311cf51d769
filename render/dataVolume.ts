// The block storage volume that holds every container's data: mounted by label at every boot before
// Docker starts, and a folder on it for each data volume, owned by the user its container runs as.
import { backupsDir, containerTemplates, DataVolume, dataRoot, dataVolume, dataVolumes } from "../config/catalogue";
import type { Settings } from "../config/schema";
import { renewUnit } from "./certificates";
import { HostScript, script } from "./shell";
import { watchdogUnit } from "./watchdog";

export const renderDataVolumeMountScript = (): HostScript =>
    script(
        "35-data-volume",
        "mount the block storage volume that holds all data, now and at every boot, before Docker.",
        `
mountpoint=${dataRoot}
line="LABEL=${dataVolume.label} $mountpoint ${dataVolume.filesystem} defaults,nofail,noatime,discard,x-systemd.device-timeout=60s 0 2"
if ! grep -qxF "$line" /etc/fstab; then
    { grep -v "[[:space:]]\${mountpoint}[[:space:]]" /etc/fstab || true; echo "$line"; } | put_file /etc/fstab 0644
fi
# Docker starts only once the volume is mounted: no container ever writes to the bare mount
# point on the droplet's own disk, where the data would be lost with the droplet.
put_file /etc/systemd/system/docker.service.d/data-volume.conf 0644 <<'EOF' && systemctl daemon-reload
[Unit]
RequiresMountsFor=${dataRoot}
EOF
mkdir -p "$mountpoint"
if ! mountpoint -q "$mountpoint"; then
    # The attachment can lag the droplet by a few seconds.
    for _ in $(seq 1 60); do
        blkid -L ${dataVolume.label} > /dev/null && break
        sleep 1
    done
    blkid -L ${dataVolume.label} > /dev/null || { echo "the data volume (label ${dataVolume.label}) is not attached" >&2; exit 1; }
    mount "$mountpoint"
    echo "mounted the data volume on $mountpoint"
fi
`,
    );

/**
 * A data directory's mode: its owner's alone, except site-health, which the proxy's nginx workers
 * read as their own user (it holds one line on the disks' room, served to anyone anyway).
 */
export const dataDirectoryMode = (volume: DataVolume): string => (volume.name === dataVolumes.siteHealth.name ? "0755" : "0750");

export const renderDataDirectoriesScript = (settings: Pick<Settings, "apps">): HostScript =>
    script(
        "40-data-dirs",
        "data directories, each owned by the user its container runs as.",
        `
install -d -m 0700 -o 0 -g 0 ${backupsDir}
${[...containerTemplates, ...settings.apps]
    .flatMap((container) => container.volumes)
    .map((volume) => `install -d -m ${dataDirectoryMode(volume)} -o ${volume.uid} -g ${volume.gid} ${dataRoot}/${volume.name}`)
    .join("\n")}

`,
    );

/** Where a release notes the containers it stopped, on the droplet's own disk, for the resume. */
export const releasedContainersFile = "/var/lib/site/released-containers";

/**
 * The handover of the data volume between droplets (components/hostSetup.ts runs it as one remote
 * command: `resume` when it is created, `release` when it is deleted, which the engine does before
 * the volume's attachment is deleted).
 * - release: on the droplet that holds the volume, reached by its own address: every container
 *   stopped, each within its own stop timeout (MySQL shuts down cleanly), Docker stopped so nothing
 *   starts again, the filesystem synced and unmounted. If anything still holds the volume, it starts
 *   the containers again, leaves the volume mounted and attached, fails, and names the holders.
 * - resume: once the volume is attached and the host set up: Docker started, which mounts the
 *   volume (RequiresMountsFor), and the containers a release stopped started again. On a new
 *   droplet there is nothing to resume.
 */
export function renderDataVolumeHandover(): { readonly release: HostScript; readonly resume: HostScript } {
    const startAgain = `
systemctl start docker.service
mountpoint -q ${dataRoot} || { echo "the data volume is not mounted on ${dataRoot} after Docker started" >&2; exit 1; }
if [ -s ${releasedContainersFile} ]; then
    xargs -r docker start < ${releasedContainersFile} > /dev/null
    echo "started again: $(paste -sd ' ' ${releasedContainersFile})"
fi
rm -f ${releasedContainersFile}
systemctl start ${renewUnit}.timer ${watchdogUnit}.timer 2> /dev/null || true`;
    return {
        release: script(
            "99-data-volume-release",
            "stop everything that writes to the data volume, cleanly, and unmount it, so it can leave this droplet.",
            `
if ! mountpoint -q ${dataRoot}; then
    echo "the data volume is not mounted on ${dataRoot}: nothing to release"
    exit 0
fi
install -d -m 0700 "$(dirname ${releasedContainersFile})"
# Nothing may start Docker again (a certificate renewal would) or a container (the watchdog
# would restart an unhealthy one) while the volume leaves.
systemctl stop ${renewUnit}.timer ${watchdogUnit}.timer ${watchdogUnit}.service 2> /dev/null || true
if systemctl is-active --quiet docker.service; then
    docker ps --format '{{.Names}}' > ${releasedContainersFile}
    # Each container gets its own stop timeout (the Apps component sets it): MySQL has time to flush.
    xargs -r docker stop < ${releasedContainersFile} > /dev/null
fi
systemctl stop docker.socket docker.service
sync -f ${dataRoot}
if ! umount ${dataRoot}; then
    echo "release failed: ${dataRoot} is still in use, so the data volume stays mounted and attached to this droplet. Holding it:" >&2
    fuser -vm ${dataRoot} >&2 || true
    echo "The site is started again here. Stop what holds the volume, then run pulumi up again." >&2
    ${startAgain.trim().split("\n").join("\n    ")}
    exit 1
fi
echo "released the data volume: $(wc -l < ${releasedContainersFile}) containers stopped, ${dataRoot} unmounted"
`,
        ),
        resume: script(
            "55-data-volume-resume",
            "the data volume has arrived: Docker started on it, and what a release stopped started again.",
            startAgain,
        ),
    };
}
