// Rendered containers, started with the docker CLI on the sandbox's dockerd: the names, network
// and alias, published ports, volumes, restart policy and memory limit the program renders.
import { containerName, containerTemplates } from "../../../config/catalogue";
import type { ContainerSpec } from "../../../render/containers";

/** The busybox stand-in listens where the real service would: its published or catalogue ports. */
export function standInPorts(spec: ContainerSpec<string>): number[] {
    if (spec.ports.length > 0) return spec.ports.map((p) => p.containerPort);
    return [containerTemplates.find((t) => t.name === spec.name)!.port];
}

/** A `docker run -d` (or `docker create`) of a rendered container, with `args` for its image. */
export function dockerCommand(
    spec: ContainerSpec<string>,
    args: readonly (string | number)[],
    verb: "run -d" | "create" = "run -d",
): string {
    return [
        `docker ${verb}`,
        `--name ${containerName(spec)}`,
        ...spec.networks.map((n) => `--network ${n} --network-alias ${spec.name}`),
        `--restart ${spec.restart}`,
        `--memory ${spec.memoryMb}m`,
        `--stop-timeout ${spec.stopTimeoutSeconds}`,
        ...spec.ports.map((p) => `-p ${p.hostIp}:${p.hostPort}:${p.containerPort}`),
        ...spec.volumes.map((v) => `-v ${v.hostPath ?? v.volumeName}:${v.containerPath}${v.readOnly ? ":ro" : ""}`),
        spec.image,
        ...args,
    ].join(" ");
}
