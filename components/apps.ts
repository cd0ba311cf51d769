import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerName, network } from "../config/catalogue";
import type { ContainerSpec } from "../render/containers";
import type { DockerEndpoint } from "./dockerEndpoint";

export interface AppsArgs {
    /** How to reach the Docker engine (components/dockerEndpoint.ts). */
    readonly docker: DockerEndpoint;
    /** Which Docker engine (the droplet's id, or "local"): a new one pulls every image again. */
    readonly engine: pulumi.Input<string>;
    /**
     * Which machine and data the containers run on (the data volume's attachment to a droplet, or
     * "local"): it labels every container and the network, so a new droplet or a restored volume
     * gets them created again. On a droplet it also puts them among what the engine deletes
     * before the attachment itself is replaced (delete first): so the old containers are removed,
     * each given its stop timeout, through the reserved IP while it still points at the old
     * droplet, before the volume leaves it.
     */
    readonly generation: pulumi.Input<string>;
    readonly containers: readonly ContainerSpec<pulumi.Output<string>>[];
}

/** The site's containers on a Docker engine (the droplet's, or this machine's), on one private network. */
export class Apps extends pulumi.ComponentResource {
    /** Name of each container, by service. */
    public readonly containerNames: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: AppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:apps:Apps", name, {}, opts);
        const provider = new docker.Provider(
            `${name}-docker`,
            { host: args.docker.host, sshOpts: args.docker.sshOpts },
            // The provider, and so everything that uses it, waits for the host setup and the
            // certificates itself (see After in ./hostCommand).
            { parent: this, dependsOn: opts?.dependsOn },
        );
        const childOpts = { parent: this, provider };
        // A new droplet (same reserved IP) has none of these: the label makes Pulumi create them again.
        // The same label on a replacement: names are fixed, so the old ones go first.
        const generationLabel = { label: "site.host", value: pulumi.output(args.generation) };

        const privateNetwork = new docker.Network(
            `${name}-network`,
            { name: network.name, driver: "bridge", ipamConfigs: [{ subnet: network.subnet }], labels: [generationLabel] },
            { ...childOpts, deleteBeforeReplace: true },
        );

        const images = new Map<string, docker.RemoteImage>();
        for (const image of new Set(args.containers.map((c) => c.image))) {
            const resourceName = `${name}-image-${image.replace(/[^a-zA-Z0-9.-]+/g, "-")}`;
            images.set(
                image,
                // Kept in the engine when the resource goes: a replaced one names the same image, in use,
                // and a deleted one leaves its droplet, if any, to be deleted with it.
                new docker.RemoteImage(
                    resourceName,
                    { name: image, keepLocally: true, triggers: { host: pulumi.output(args.engine) } },
                    childOpts,
                ),
            );
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
                        name: containerName(spec),
                        image: images.get(spec.image)!.imageId,
                        restart: spec.restart,
                        memory: spec.memoryMb,
                        // A stop, a reboot and a replacement all give the process its time to shut down.
                        stopTimeout: spec.stopTimeoutSeconds,
                        destroyGraceSeconds: spec.stopTimeoutSeconds,
                        user: spec.user,
                        networksAdvanced: [{ name: privateNetwork.name, aliases: [spec.name] }],
                        ports: spec.ports.map((p) => ({ ip: p.hostIp, external: p.hostPort, internal: p.containerPort, protocol: "tcp" })),
                        volumes: spec.volumes.map((v) => ({
                            hostPath: v.hostPath,
                            volumeName: v.volumeName,
                            containerPath: v.containerPath,
                            readOnly: v.readOnly,
                        })),
                        tmpfs: Object.keys(spec.tmpfs).length > 0 ? { ...spec.tmpfs } : undefined,
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
                        uploads: spec.uploads.map((u) => ({ file: u.path, content: u.content, permissions: u.permissions })),
                        labels: [generationLabel, ...Object.entries(spec.labels).map(([label, value]) => ({ label, value }))],
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

        this.containerNames = pulumi.output(Object.fromEntries(args.containers.map((spec) => [spec.name, containerName(spec)])));
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
