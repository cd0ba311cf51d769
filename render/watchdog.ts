// The container watchdog: a systemd timer that restarts a site container its health check keeps
// finding unhealthy, and backs off so one that never recovers cannot cause a restart storm.
//
// Docker's restart policy (the containers' `unless-stopped`) restarts a container whose process
// exits. A container whose process keeps running while its health check fails (hung, wedged, out
// of memory inside) is only marked `unhealthy`: Docker reports it and never restarts it.
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";
import { command, installLines, unit } from "./systemdUnits";

export const watchdogCommand = "/usr/local/sbin/site-watchdog";
export const watchdogUnit = "site-watchdog";
/** The journal tag: `journalctl -t site-watchdog`. */
export const watchdogTag = "site-watchdog";
/** Where the watchdog keeps one small file per container it restarted (a reboot starts every container afresh). */
export const watchdogStateDir = "/run/site-watchdog";

/**
 * The timer's period, in seconds: the containers' health check interval (config/catalogue.ts,
 * held equal by test/unit/render.test.ts). Each run then finds about one new check per container:
 * running more often finds nothing new; less often, a restart waits up to a period longer.
 */
export const watchdogPeriodSeconds = 30;
/** The back-off doubles after each restart (1, 2, 4 … periods) up to this: 32 minutes. */
export const watchdogMaxWaitPeriods = 64;
/** Healthy this many periods in a row (10 minutes) after a restart, a container's back-off starts over. */
export const watchdogResetPeriods = 20;

/** Seconds in a health check's interval, "30s" or "1m30s" as Docker's API spells it. */
export const intervalSeconds = (interval: string): number =>
    [...interval.matchAll(/(\d+)(h|m|s)/g)].reduce((total, [, n, unit]) => total + Number(n) * { h: 3600, m: 60, s: 1 }[unit]!, 0);

/** The command the timer runs; `npm run render` shows it inside 45-watchdog.sh. */
export function renderWatchdogCommand(settings: Settings): string {
    const checks = settings.watchdogUnhealthyChecks;
    return `#!/usr/bin/env bash
# site-watchdog: restarts a site container that its health check keeps finding unhealthy.
# Rendered by render/watchdog.ts; installed by the host setup; run by ${watchdogUnit}.timer
# every ${watchdogPeriodSeconds} s, the containers' health check interval.
#
# Why: Docker's restart policy (unless-stopped) restarts a container whose process exits.
# A container whose process keeps running while its health check fails (hung, wedged, out of
# memory inside) is only marked unhealthy: Docker never restarts it. This does.
#
# What: a running container named site-* whose health check found it unhealthy ${checks} times
# in a row (site:watchdogUnhealthyChecks; Docker's failing streak, less the failures it took
# to call it unhealthy) is restarted with docker restart, within its own stop timeout. Why,
# which container, how many checks and its last health check as docker inspect reports it go
# to the journal: journalctl -t ${watchdogTag}.
#
# Back-off: after a container's k-th restart in a row the next waits at least 2^(k-1) periods
# (1, 2, 4 ... up to ${watchdogMaxWaitPeriods} periods, 32 minutes): one that never recovers is
# restarted a few times, then twice an hour, never in a storm. Healthy for ${watchdogResetPeriods}
# periods in a row, its back-off starts over. State: a file per container in ${watchdogStateDir}.
#
# SITE_WATCHDOG_PERIOD (seconds) is for the sandbox test, which compresses time: its health
# checks and this period are both 30 times shorter. The timer never sets it.
set -euo pipefail

checks=${checks}
period=\${SITE_WATCHDOG_PERIOD:-${watchdogPeriodSeconds}}
max_wait=${watchdogMaxWaitPeriods}
reset_after=${watchdogResetPeriods}
state=${watchdogStateDir}

log() {
    logger -t ${watchdogTag} -p "daemon.$1" -- "$2"
}

# A stopped Docker (the data volume's release stops it) has nothing to watch; asking it anything
# would start it again through its socket.
systemctl is-active --quiet docker.service || exit 0
install -d -m 0700 "$state"
exec 9> "$state/.lock"
flock -n 9 || exit 0

period_ms=$((period * 1000))
mapfile -t running < <(docker ps --format '{{.Names}}')
for name in "\${running[@]}"; do
    case $name in site-*) ;; *) continue ;; esac
    # Gone since docker ps (a deploy replacing it): nothing to do.
    info=$(docker inspect --format '{{.Id}} {{with .State.Health}}{{.Status}} {{.FailingStreak}}{{else}}none 0{{end}} {{with .Config.Healthcheck}}{{.Retries}}{{else}}0{{end}} {{with .Config.StopTimeout}}{{.}}{{else}}-{{end}}' "$name" 2> /dev/null) || continue
    read -r id status streak retries stop_timeout <<< "$info"
    [ "$status" != none ] || continue
    now=$(date +%s%3N)
    file=$state/$name
    saved_id='' restarts=0 not_before=0 healthy_since=0 held=0
    if [ -f "$file" ]; then
        read -r saved_id restarts not_before healthy_since held < "$file" || true
    fi
    # A new container under the same name (a deploy replaced it) starts without history.
    if [ "$saved_id" != "$id" ]; then
        restarts=0 not_before=0 healthy_since=0 held=0
    fi
    case $status in
        healthy)
            held=0
            if [ "$restarts" -gt 0 ]; then
                if [ "$healthy_since" -eq 0 ]; then
                    healthy_since=$now
                    log notice "$name is healthy again after restart $restarts in a row"
                elif [ $((now - healthy_since)) -ge $((reset_after * period_ms)) ]; then
                    log notice "$name has been healthy for $((reset_after * period)) s: its restart back-off starts over"
                    restarts=0
                fi
            fi
            ;;
        unhealthy)
            healthy_since=0
            [ "$retries" -gt 0 ] || retries=3
            found=$((streak - retries + 1))
            if [ "$found" -ge "$checks" ]; then
                if [ "$now" -lt "$not_before" ]; then
                    if [ "$held" -eq 0 ]; then
                        held=1
                        log warning "$name: unhealthy for $found health checks in a row; after $restarts restarts in a row the next waits $(((not_before - now + 999) / 1000)) s more"
                    fi
                else
                    wait_periods=$max_wait
                    [ "$restarts" -ge 30 ] || [ $((1 << restarts)) -ge "$max_wait" ] || wait_periods=$((1 << restarts))
                    restarts=$((restarts + 1))
                    not_before=$((now + wait_periods * period_ms))
                    held=0
                    last=$(docker inspect --format '{{range .State.Health.Log}}{{json .}}{{println}}{{end}}' "$name" 2> /dev/null | sed '/^$/d' | tail -n 1) || true
                    log warning "restarting $name: unhealthy for $found health checks in a row (restart $restarts in a row; the next waits at least $((wait_periods * period)) s). Last health check: $last"
                    timeout=()
                    [ "$stop_timeout" = - ] || timeout=(--time "$stop_timeout")
                    if ! error=$({ docker restart "\${timeout[@]}" "$name" > /dev/null; } 2>&1); then
                        log err "$name: docker restart failed: $error"
                    fi
                fi
            fi
            ;;
        *)
            # starting: its first checks are still to come.
            healthy_since=0
            ;;
    esac
    if [ "$restarts" -gt 0 ]; then
        echo "$id $restarts $not_before $healthy_since $held" > "$file"
    else
        rm -f "$file"
    fi
done
`;
}

export function renderWatchdogService(): string {
    return `[Unit]
Description=Restart site containers their health checks keep finding unhealthy, with back-off
Documentation=file://${watchdogCommand}
# Never Requires= or Wants= Docker: a watchdog must not start it while the data volume's release
# has stopped it. The command does nothing while Docker is stopped.
After=docker.service

[Service]
Type=oneshot
ExecStart=${watchdogCommand}
`;
}

export function renderWatchdogTimer(): string {
    return `[Unit]
Description=Run the site's container watchdog every ${watchdogPeriodSeconds} s, the health check interval

[Timer]
OnActiveSec=${watchdogPeriodSeconds}s
OnUnitActiveSec=${watchdogPeriodSeconds}s
AccuracySec=1s

[Install]
WantedBy=timers.target
`;
}

/** The host setup's part: the watchdog command and its timer. */
export const renderWatchdogScript = (settings: Settings): HostScript =>
    script(
        "45-watchdog",
        `the container watchdog: restarts a site container ${settings.watchdogUnhealthyChecks} health checks in a row found unhealthy, with back-off.`,
        installLines(
            [
                command(watchdogCommand, renderWatchdogCommand(settings)),
                unit(`${watchdogUnit}.service`, renderWatchdogService()),
                unit(`${watchdogUnit}.timer`, renderWatchdogTimer()),
            ],
            [`${watchdogUnit}.timer`],
        ),
    );
