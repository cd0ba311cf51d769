// What the proxy container gets under /etc/nginx, rendered as the Apps component renders it: the
// main configuration, the site's, and the management login's htpasswd for `password` (bcrypt with a
// fixed salt, so the tests need no randomness). Every proxy sandbox starts from these files.
import type { Settings } from "../../../config/schema";
import {
    htpasswdPath,
    mainConfigPath,
    ProxyOptions,
    renderHtpasswd,
    renderNginxMainConfig,
    renderNginxSiteConfig,
    siteConfigPath,
} from "../../../render/nginx";
import { bcryptHash } from "../../../render/passwordHash";

export function renderedProxyFiles(settings: Settings, options: ProxyOptions, password = "unused"): Record<string, string> {
    return {
        [mainConfigPath]: renderNginxMainConfig(),
        [siteConfigPath]: renderNginxSiteConfig(settings, options),
        [htpasswdPath]: renderHtpasswd(bcryptHash(password, "abcdefghijklmnopqrstuv")),
    };
}
