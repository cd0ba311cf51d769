// The droplet's user data. DigitalOcean serves it to anything on the droplet that asks the
// metadata service, for the droplet's whole life, so it holds no secret. Changing it replaces
// the droplet, so it holds only what never changes: packages. Everything else is a host script
// that runs over SSH and can change freely.
import { stringify } from "yaml";

export const cloudInitPackages = ["docker.io", "ufw", "openssl", "curl", "unattended-upgrades"] as const;

export function renderCloudInit(): string {
    const document = {
        package_update: true,
        package_upgrade: true,
        packages: [...cloudInitPackages],
        runcmd: ["systemctl enable --now docker"],
    };
    return `#cloud-config\n${stringify(document)}`;
}
