#!/usr/bin/env bash
# droplet.sh NETNS WORKDIR COMMAND...: runs COMMAND as if on the droplet: inside network namespace
# NETNS and a private mount namespace whose /etc is a copy-on-write overlay kept in WORKDIR, so
# host scripts run unchanged without touching this machine. State (the overlays' upper dirs) persists in WORKDIR between calls, like a disk.
# systemctl is a shim: there is no systemd in the sandbox.
set -euo pipefail
netns=$1 work=$2
shift 2
exec ip netns exec "$netns" unshare --mount --uts bash -s "$work" "$@" <<'INNER'
set -euo pipefail
work=$1
shift
mount --make-rprivate /
mkdir -p "$work/etc-upper" "$work/etc-work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$work/etc-upper,workdir=$work/etc-work" /etc
mkdir -p "$work/bin"
printf '#!/bin/sh\n# systemd is not running in the sandbox\nexit 0\n' > "$work/bin/systemctl"
chmod +x "$work/bin/systemctl"
export PATH="$work/bin:$PATH"
"$@"
INNER
