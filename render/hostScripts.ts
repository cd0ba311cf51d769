// The scripts the HostSetup component runs over SSH after the host key rotation, in order. Each is
// idempotent (a second run changes no file and no rule), and each concern has its file.
import type { Settings } from "../config/schema";
import { renderAdminUserScript } from "./adminUser";
import { renderCertbotInstallScript } from "./certificates";
import { renderCloudInitWaitScript } from "./cloudInit";
import { renderDataDirectoriesScript, renderDataVolumeMountScript } from "./dataVolume";
import { renderDiskCareScript } from "./diskCare";
import { renderDockerDaemonScript } from "./dockerDaemon";
import { renderFail2banScript } from "./fail2ban";
import { renderFirewallScript } from "./firewall";
import type { HostScript } from "./shell";
import { renderSshdScript } from "./ssh";
import { renderSysctlScript } from "./sysctl";
import { renderUnattendedUpgradesScript } from "./upgrades";
import { renderWatchdogScript } from "./watchdog";

/** Every host script, in run order. */
export function renderHostScripts(settings: Settings): HostScript[] {
    return [
        renderCloudInitWaitScript(),
        renderSysctlScript(),
        renderSshdScript(settings),
        renderAdminUserScript(settings),
        renderUnattendedUpgradesScript(settings),
        renderFail2banScript(),
        renderDockerDaemonScript(),
        renderFirewallScript(settings),
        renderDataVolumeMountScript(),
        renderDataDirectoriesScript(settings),
        renderDiskCareScript(settings),
        renderWatchdogScript(settings),
        renderCertbotInstallScript(settings),
    ];
}
