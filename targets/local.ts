// The local target: this machine's Docker engine (its socket, or DOCKER_HOST), hostnames under
// localhost, a certificate authority made for this machine, data in named Docker volumes, the
// repo's themes live in Ghost.
import type { LocalCertificateAuthority } from "../components/localCertificateAuthority";
import type { Settings } from "../config/schema";
import { themeFolders } from "../config/themes";
import { localPlacement } from "../render/localPlacement";
import type { SiteTarget } from "./target";

/** The hosts the local certificate authority certifies, all under localhost. */
export const hostnames = (settings: Settings): string[] => settings.routed.map(({ name }) => settings.services[name].hostname);

export function target(settings: Settings, ca: LocalCertificateAuthority): SiteTarget {
    return {
        docker: {},
        engine: "local",
        generation: "local",
        placement: localPlacement(settings, ca.certificates, themeFolders()),
        // No Cloudflare in front: nothing may claim to speak for the visitor.
        trustedProxyRanges: [],
        httpsPort: settings.localHttpsPort,
    };
}
