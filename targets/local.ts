// The local target: this machine's Docker engine (its socket, or DOCKER_HOST), hostnames under
// localhost, a CA made for this machine, data in named Docker volumes, the repo's themes live.
import { LocalEngine } from "../components/localEngine";
import type { SiteConfig } from "../config";
import { routedServiceNames } from "../config/catalogue";
import { themeFolders } from "../config/themes";
import { localPlacement } from "../render/localPlacement";
import type { SiteTarget } from "./target";

export function localTarget({ settings }: SiteConfig): SiteTarget {
    const engine = new LocalEngine("site", { hostnames: routedServiceNames.map((name) => settings.services[name].hostname) });
    return {
        docker: {},
        generation: "local",
        placement: localPlacement(settings, engine.certificates, themeFolders()),
        // No Cloudflare in front: nothing may claim to speak for the visitor.
        trustedProxyRanges: [],
        httpsPort: settings.localHttpsPort,
        ready: [],
        finish: () => ({ caCertificate: engine.caCertificate }),
    };
}
