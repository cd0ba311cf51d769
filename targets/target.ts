import type * as pulumi from "@pulumi/pulumi";
import type { Apps } from "../components/apps";
import type { DockerEndpoint } from "../components/dockerEndpoint";
import type { Placement } from "../render/containers";

/**
 * Where the site runs. The apps (containers, network, images, nginx configuration, the management
 * login) are the same everywhere; a target supplies only what differs, all in one place.
 */
export interface SiteTarget {
    /** How the apps reach Docker. */
    readonly docker: DockerEndpoint;
    /** Which machine: labels every container, so a new machine gets them all created again. */
    readonly generation: pulumi.Input<string>;
    /** Where containers land: data, published ports, extra files and mounts. */
    readonly placement: Placement<pulumi.Output<string>>;
    /** Addresses whose CF-Connecting-IP the proxy believes (and the only ones proxied hosts accept). */
    readonly trustedProxyRanges: readonly string[];
    /** The port visitors reach HTTPS on. */
    readonly httpsPort: number;
    /** What the apps wait for. */
    readonly ready: readonly pulumi.Resource[];
    /** Declares what comes after the apps, and returns the target's own stack outputs. */
    finish(apps: Apps): TargetOutputs;
}

/** Stack outputs a target may have; each is absent where it has no meaning. */
export interface TargetOutputs {
    readonly dropletIp?: pulumi.Output<string>;
    readonly sshCommand?: pulumi.Output<string>;
    readonly snapshotIds?: pulumi.Output<unknown>;
    readonly dataVolumeId?: pulumi.Output<string>;
    readonly caCertificate?: pulumi.Output<string>;
}
