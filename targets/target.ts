import type * as pulumi from "@pulumi/pulumi";
import type { DockerEndpoint } from "../components/dockerEndpoint";
import type { Placement } from "../render/containers";

/**
 * Where the apps run. The apps (containers, network, images, nginx configuration, the management
 * login) are the same everywhere; a target supplies only what differs, all in one place.
 */
export interface SiteTarget {
    /** How the apps reach Docker. */
    readonly docker: DockerEndpoint;
    /** Which Docker engine: a new one pulls every image again (see AppsArgs). */
    readonly engine: pulumi.Input<string>;
    /** Which machine and data: a new one gets every container created again (see AppsArgs). */
    readonly generation: pulumi.Input<string>;
    /** Where containers land: data, published ports, extra files and mounts. */
    readonly placement: Placement<pulumi.Output<string>>;
    /** Addresses whose CF-Connecting-IP the proxy believes (and the only ones proxied hosts accept). */
    readonly trustedProxyRanges: readonly string[];
    /** The port visitors reach HTTPS on. */
    readonly httpsPort: number;
}
