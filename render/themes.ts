// Installing the repo's themes on the droplet: the Themes component copies themes/ into Ghost's
// content volume, then this script gives the files to Ghost and restarts it.
import { containerName, dataRoot, dataVolumes, ghost } from "../config/catalogue";
import { HostScript, script } from "./shell";

/** Ghost's content volume on the host; the copy lands in it as `themes/`. */
export const ghostContentDir = `${dataRoot}/${dataVolumes.ghostContent.name}`;

/** Restarts Ghost after a theme change, once the files are Ghost's (it runs as its own user). */
export function renderThemesInstallScript(): HostScript {
    const { uid, gid } = dataVolumes.ghostContent;
    return script(
        "90-themes",
        "hand the copied themes to Ghost and restart it to load them.",
        `
chown -R ${uid}:${gid} ${ghostContentDir}/themes
docker restart ${containerName(ghost)} > /dev/null
echo "themes installed; Ghost restarted"
`,
    );
}
