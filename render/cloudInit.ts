// The droplet's user data. DigitalOcean serves it to anything on the droplet that asks the
// metadata service, for the droplet's whole life, and changing it replaces the droplet. So it
// holds only what the first SSH connection needs and never changes:
// - packages;
// - the admin user, with the deploy key Pulumi connects with (later keys are managed over SSH);
// - a *bootstrap* host key, so that first connection can already be verified. It is replaced by
//   the real host key over SSH (`00-host-key`) before anything else happens, so what the
//   metadata service goes on serving is a key the droplet no longer uses.
// The host setup's first script after the host key waits here too, for cloud-init to finish.
import { stringify } from "yaml";
import { HostScript, script } from "./shell";

export const cloudInitPackages = ["docker.io", "ufw", "openssl", "curl", "unattended-upgrades", "fail2ban"] as const;

export interface CloudInitSeed {
    readonly adminUser: string;
    /** Public key Pulumi logs in with. */
    readonly deployPublicKey: string;
    readonly bootstrapHostKey: { readonly privateKey: string; readonly publicKey: string };
}

export function renderCloudInit(seed: CloudInitSeed): string {
    const document = {
        package_update: true,
        package_upgrade: true,
        packages: [...cloudInitPackages],
        users: [
            {
                name: seed.adminUser,
                groups: ["sudo"],
                shell: "/bin/bash",
                // Pulumi runs the host setup through sudo without a terminal.
                sudo: "ALL=(ALL) NOPASSWD:ALL",
                lock_passwd: true,
                ssh_authorized_keys: [seed.deployPublicKey],
            },
        ],
        disable_root: true,
        ssh_pwauth: false,
        ssh_deletekeys: true,
        ssh_genkeytypes: ["ed25519"],
        ssh_keys: { ed25519_private: seed.bootstrapHostKey.privateKey, ed25519_public: seed.bootstrapHostKey.publicKey },
        runcmd: ["systemctl enable --now docker"],
    };
    return `#cloud-config\n${stringify(document)}`;
}

/** The first host script after the host key: the rest needs what cloud-init installs. */
export const renderCloudInitWaitScript = (): HostScript =>
    script(
        "02-wait-cloud-init",
        "wait until cloud-init has installed the packages the other scripts need.",
        String.raw`
status=0
cloud-init status --wait > /dev/null || status=$?
# 0: done; 2: done with recoverable warnings (cloud-init 23.4 and later).
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    cloud-init status --long >&2 || true
    echo "cloud-init failed (exit $status); see /var/log/cloud-init-output.log" >&2
    exit 1
fi
for tool in docker ufw openssl; do
    command -v "$tool" > /dev/null || { echo "$tool is missing: cloud-init's package step failed" >&2; exit 1; }
done
`,
    );
