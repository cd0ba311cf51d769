// Rendered containers, started with the docker CLI on the sandbox's dockerd: the names, network
// and alias, published ports, volumes, restart policy and memory limit the program renders.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { containerName, ContainerTemplate, containerTemplates, network } from "../../../config/catalogue";
import type { ContainerSpec } from "../../../render/containers";
import type { Droplet } from "./sandbox";

/**
 * The busybox stand-in listens where the real service would: its published or catalogue ports
 * (`templates`: the built-in containers, and the declared apps where a test has them).
 */
export function standInPorts(
    spec: ContainerSpec<string>,
    templates: readonly Pick<ContainerTemplate, "name" | "port">[] = containerTemplates,
): number[] {
    if (spec.ports.length > 0) return spec.ports.map((p) => p.containerPort);
    return [templates.find((t) => t.name === spec.name)!.port];
}

/**
 * A `docker run -d` (or `docker create`) of a rendered container, with `args` for its image and its
 * environment from `envFile` (one KEY=value a line: no shell quoting to get wrong), at address `ip`
 * on its network where given (Docker's choice otherwise).
 */
export function dockerCommand(
    spec: ContainerSpec<string>,
    args: readonly (string | number)[],
    { verb = "run -d", envFile, ip }: { verb?: "run -d" | "create"; envFile?: string; ip?: string } = {},
): string {
    return [
        `docker ${verb}`,
        `--name ${containerName(spec)}`,
        ...(envFile ? [`--env-file ${envFile}`] : []),
        ...spec.networks.map((n) => `--network ${n} --network-alias ${spec.name}${ip ? ` --ip ${ip}` : ""}`),
        `--restart ${spec.restart}`,
        `--memory ${spec.memoryMb}m`,
        `--stop-timeout ${spec.stopTimeoutSeconds}`,
        ...(spec.user ? [`--user ${spec.user}`] : []),
        ...spec.ports.map((p) => `-p ${p.hostIp}:${p.hostPort}:${p.containerPort}`),
        ...Object.entries(spec.tmpfs).map(([path, options]) => `--tmpfs ${path}:${options}`),
        ...spec.volumes.map((v) => `-v ${v.hostPath ?? v.volumeName}:${v.containerPath}${v.readOnly ? ":ro" : ""}`),
        spec.image,
        ...args,
    ].join(" ");
}

/**
 * The rendered containers on a droplet's engine, as the Apps component creates them: the network,
 * then each container with its environment, the proxy last (as the program orders them; it would
 * start without the apps too, see test/sandbox/proxyFollows.test.ts) and with its files copied in
 * before it starts, as the docker provider's uploads are. `args` gives each image's.
 */
export function startContainers(
    droplet: Droplet,
    specs: readonly ContainerSpec<string>[],
    args: (spec: ContainerSpec<string>) => (string | number)[],
    stage: string,
): void {
    droplet.run(`docker network create --subnet ${network.subnet} ${network.name} > /dev/null`);
    mkdirSync(`${stage}-env`, { recursive: true });
    for (const spec of [...specs].sort((a, b) => Number(a.name === "proxy") - Number(b.name === "proxy"))) {
        const envFile = join(`${stage}-env`, spec.name);
        writeFileSync(
            envFile,
            Object.entries(spec.env)
                .map(([key, value]) => `${key}=${value}\n`)
                .join(""),
        );
        if (spec.uploads.length === 0) {
            droplet.run(`${dockerCommand(spec, args(spec), { envFile })} > /dev/null`);
            continue;
        }
        for (const upload of spec.uploads) {
            mkdirSync(join(stage, dirname(upload.path)), { recursive: true });
            writeFileSync(join(stage, upload.path), upload.content);
        }
        const name = containerName(spec);
        droplet.run(
            `${dockerCommand(spec, args(spec), { verb: "create", envFile })} > /dev/null && tar -C ${stage} -c . | docker cp - ${name}:/ && docker start ${name} > /dev/null`,
        );
    }
}
