// The block storage volume that holds every container's data: mounted by label at every boot before
// Docker starts, and a folder on it for each data volume, owned by the user its container runs as.
import { backupsDir, containerTemplates, dataRoot, dataVolume } from "../config/catalogue";
import { HostScript, script } from "./shell";

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

export const renderDataDirectoriesScript = (): HostScript =>
    script(
        "40-data-dirs",
        "data directories, each owned by the user its container runs as.",
        `
install -d -m 0700 -o 0 -g 0 ${backupsDir}
${containerTemplates
    .flatMap((container) => container.volumes)
    .map((volume) => `install -d -m 0750 -o ${volume.uid} -g ${volume.gid} ${dataRoot}/${volume.name}`)
    .join("\n")}

`,
    );
