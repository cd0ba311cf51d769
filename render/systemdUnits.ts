// Commands and systemd units a host script installs: each file replaced only when its text
// differs, systemd told when a unit changed, the timers enabled and started. A second run changes
// nothing and says nothing.

export interface InstalledFile {
    readonly path: string;
    readonly mode: "0755" | "0644";
    readonly content: string;
}

/** A command the units run, installed executable. */
export const command = (path: string, content: string): InstalledFile => ({ path, mode: "0755", content });

/** A unit file under /etc/systemd/system. */
export const unit = (name: string, content: string): InstalledFile => ({ path: `/etc/systemd/system/${name}`, mode: "0644", content });

/**
 * The shell lines that install `files` (with put_file, from render/shell.ts) and enable and start
 * `timers`. A changed unit reloads systemd and restarts the timers, so a new period applies now.
 */
export function installLines(files: readonly InstalledFile[], timers: readonly string[]): string {
    for (const { path, content } of files) {
        if (/^EOF$/m.test(content)) throw new Error(`${path}: a line EOF would end its here-document early`);
    }
    const puts = files.map(
        ({ path, mode, content }) =>
            `put_file ${path} ${mode} <<'EOF'${path.startsWith("/etc/systemd/") ? " && units_changed=1" : " || true"}
${content.trimEnd()}
EOF`,
    );
    return `units_changed=0
${puts.join("\n")}
if [ "$units_changed" -eq 1 ]; then
    systemctl daemon-reload
    systemctl restart ${timers.join(" ")}
fi
systemctl enable --now ${timers.join(" ")} > /dev/null 2>&1`;
}
