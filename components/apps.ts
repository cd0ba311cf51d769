import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { network } from "../config/catalogue";
import type { ContainerSpec } from "../render/containers";
import type { DropletTarget } from "./connection";

export interface AppsArgs {
    /** The Docker host, reached over SSH; its private key must be an Output (it is written to a file). */
    readonly droplet: DropletTarget & { readonly privateKey: pulumi.Output<string> };
    readonly containers: readonly ContainerSpec<pulumi.Output<string>>[];
}

/**
 * The docker provider runs the system `ssh` (pulumi-docker#702), which reads its key from a file.
 * The key is written to an ignored folder of the project, readable by the owner only, under a
 * path that is the same on every run (it is part of the provider's config).
 */
function identityFile(privateKey: pulumi.Output<string>): pulumi.Output<string> {
    const dir = join(".site", pulumi.getStack());
    const path = join(dir, "deploy_key");
    return pulumi.unsecret(
        privateKey.apply((key) => {
            mkdirSync(dir, { recursive: true, mode: 0o700 });
            writeFileSync(path, key, { mode: 0o600 });
            chmodSync(path, 0o600);
            return path;
        }),
    );
}

/** The pinned host key, as the system ssh reads it (same folder, same reasoning as the key file). */
function knownHostsFile(host: pulumi.Input<string>, hostKey: pulumi.Input<string>): pulumi.Output<string> {
    const dir = join(".site", pulumi.getStack());
    const path = join(dir, "known_hosts");
    return pulumi.all([host, hostKey]).apply(([address, key]) => {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(path, `${address} ${key.trim()}\n`, { mode: 0o600 });
        return path;
    });
}

/** The site's containers on the droplet's Docker engine, on one private network. */
export class Apps extends pulumi.ComponentResource {
    /** Name of each container, by service. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:apps:Apps", name, {}, opts);
        const provider = new docker.Provider(
            `${name}-docker`,
            {
                host: pulumi.interpolate`ssh://${args.droplet.user}@${args.droplet.host}`,
                sshOpts: pulumi
                    .all([identityFile(args.droplet.privateKey), knownHostsFile(args.droplet.host, args.droplet.hostKey)])
                    .apply(([keyPath, knownHosts]) => [
                        "-i",
                        keyPath,
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        `UserKnownHostsFile=${knownHosts}`,
                        // The droplet's key is known before the first connection: never trust another.
                        "-o",
                        "StrictHostKeyChecking=yes",
                    ]),
            },
            // A component's dependsOn does not hold back its children: the provider, and so
            // everything that uses it, must wait for the host setup itself.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        const childOpts = { parent: this, provider };
        // A new droplet (same reserved IP) has none of these: the label makes Pulumi create them again.
        const dropletLabel = { label: "site.droplet", value: pulumi.output(args.droplet.id) };

        const privateNetwork = new docker.Network(
            `${name}-network`,
            { name: network.name, driver: "bridge", ipamConfigs: [{ subnet: network.subnet }], labels: [dropletLabel] },
            childOpts,
        );

        const images = new Map<string, docker.RemoteImage>();
        for (const image of new Set(args.containers.map((c) => c.image))) {
            const resourceName = `${name}-image-${image.replace(/[^a-zA-Z0-9.-]+/g, "-")}`;
            images.set(image, new docker.RemoteImage(resourceName, { name: image, triggers: { droplet: pulumi.output(args.droplet.id) } }, childOpts));
        }

        const created = new Map<string, docker.Container>();
        // The specs list each container after the ones it needs, except the proxy, which needs the
        // apps: create in an order where every dependency exists first.
        for (const spec of orderByDependencies(args.containers)) {
            created.set(
                spec.name,
                new docker.Container(
                    `${name}-${spec.name}`,
                    {
                        name: `site-${spec.name}`,
                        image: images.get(spec.image)!.imageId,
                        restart: spec.restart,
                        memory: spec.memoryMb,
                        networksAdvanced: [{ name: privateNetwork.name, aliases: [spec.name] }],
                        ports: spec.ports.map((p) => ({ ip: p.hostIp, external: p.hostPort, internal: p.containerPort, protocol: "tcp" })),
                        volumes: spec.volumes.map((v) => ({ hostPath: v.hostPath, volumeName: v.volumeName, containerPath: v.containerPath, readOnly: v.readOnly })),
                        envs: Object.entries(spec.env).map(([key, value]) => pulumi.interpolate`${key}=${value}`),
                        command: spec.command.length > 0 ? [...spec.command] : undefined,
                        healthcheck: spec.healthCheck
                            ? {
                                  tests: [...spec.healthCheck.test],
                                  interval: spec.healthCheck.interval,
                                  timeout: spec.healthCheck.timeout,
                                  startPeriod: spec.healthCheck.startPeriod,
                                  retries: spec.healthCheck.retries,
                              }
                            : undefined,
                        uploads: spec.uploads.map((u) => ({ file: u.path, content: u.content })),
                        labels: [dropletLabel],
                    },
                    {
                        ...childOpts,
                        dependsOn: spec.dependsOn.map((dependency) => created.get(dependency)!),
                        // Fixed names and published ports cannot exist twice, even for a moment.
                        deleteBeforeReplace: true,
                    },
                ),
            );
        }

        this.containerNames = pulumi.output(Object.fromEntries([...created.keys()].map((service) => [service, `site-${service}`])));
        this.registerOutputs({ containerNames: this.containerNames });
    }
}

function orderByDependencies<T extends { name: string; dependsOn: readonly string[] }>(specs: readonly T[]): T[] {
    const ordered: T[] = [];
    const pending = [...specs];
    while (pending.length > 0) {
        const index = pending.findIndex((spec) => spec.dependsOn.every((d) => ordered.some((o) => o.name === d)));
        if (index < 0) throw new Error(`container dependencies form a cycle: ${pending.map((s) => s.name).join(", ")}`);
        ordered.push(...pending.splice(index, 1));
    }
    return ordered;
}
