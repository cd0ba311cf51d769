// The local target's placement (see Placement in render/containers.ts): this machine's Docker
// engine. Data in named Docker volumes (they keep each image's own file ownership), the proxy on
// 127.0.0.1 with unprivileged ports, certificates from a CA made for this machine handed to the
// proxy as files, and the repo's themes mounted into Ghost so an edit shows on reload.
import { dataVolumes, dockerVolumeName, proxy } from "../config/catalogue";
import type { Settings } from "../config/schema";
import type { FileUpload, Placement, VolumeMount } from "./containers";

export interface LocalCertificate<S> {
    readonly fullchain: S;
    readonly privkey: S;
}

/** Where certbot would leave them on a droplet, so the nginx configuration is the same. */
const livePath = (hostname: string) => `/etc/letsencrypt/live/${hostname}`;

export function localPlacement<S>(
    settings: Settings,
    certificates: Readonly<Record<string, LocalCertificate<S>>>,
    /** Absolute paths of the repo's theme folders, by theme name. */
    themes: Readonly<Record<string, string>>,
): Placement<S> {
    const proxyFiles: FileUpload<S>[] = settings.routed.flatMap(({ name }) => {
        const hostname = settings.services[name].hostname;
        const certificate = certificates[hostname];
        return [
            { path: `${livePath(hostname)}/fullchain.pem`, content: certificate.fullchain },
            { path: `${livePath(hostname)}/privkey.pem`, content: certificate.privkey },
        ];
    });
    const themesPath = `${dataVolumes.ghostContent.containerPath}/themes`;
    const ghostMounts: VolumeMount[] = Object.entries(themes).map(([name, hostPath]) => ({
        hostPath,
        containerPath: `${themesPath}/${name}`,
        readOnly: true,
    }));
    // Docker creates the folder holding those mounts, owned by root, inside Ghost's content volume,
    // where Ghost (its own user) cannot then copy its default themes at start and stops. In memory,
    // writable by Ghost, the folder is fresh at every start: the default themes come from the
    // image, the site's from the repo.
    const ghostTmpfs = { [themesPath]: "mode=1777" };
    return {
        // The proxy's certificates arrive as files; its certbot volume has no use here.
        data: (volume, container) =>
            container.name === proxy.name
                ? undefined
                : { volumeName: dockerVolumeName(volume), containerPath: volume.containerPath, readOnly: volume.readOnly ?? false },
        publish: { hostIp: "127.0.0.1", http: settings.localHttpPort, https: settings.localHttpsPort },
        proxyFiles,
        ghostMounts,
        ghostTmpfs,
        // So a theme edit shows on the next reload, without a restart.
        ghostMode: "development",
    };
}
