// What every host script shares: the header, strict mode, and helpers that make a second run
// change nothing. Each script is rendered whole, helpers included, so the text that runs on the
// droplet is exactly the text `npm run render` shows and the sandbox runs.

export interface HostScript {
    /** `NN-name`: the run order is the number. */
    readonly name: string;
    readonly script: string;
}

const helpers = String.raw`
# put_file PATH MODE < content: replaces PATH only when the content differs, so an unchanged run
# touches nothing. Returns 0 when it changed the file, 1 when it was already right.
put_file() {
    local path=$1 mode=$2 tmp
    mkdir -p "$(dirname "$path")"
    tmp=$(mktemp "$path.XXXXXX")
    cat > "$tmp"
    if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
        rm -f "$tmp"
        chmod "$mode" "$path"
        return 1
    fi
    chmod "$mode" "$tmp"
    mv "$tmp" "$path"
    echo "changed $path"
}

# set_key FILE KEY VALUE: sets KEY=VALUE in a shell-style settings file, only if it differs.
set_key() {
    local file=$1 key=$2 value=$3
    grep -qx "$key=$value" "$file" && return 1
    if grep -q "^$key=" "$file"; then
        sed -i "s|^$key=.*|$key=$value|" "$file"
    else
        echo "$key=$value" >> "$file"
    fi
    echo "changed $file: $key"
}
`;

export function script(name: string, purpose: string, body: string): HostScript {
    return {
        name,
        script: `#!/usr/bin/env bash
# ${name}: ${purpose}
# Rendered by render/hostScripts.ts from the stack config; run as root by the HostSetup component.
set -euo pipefail
${helpers}
${body.trim()}
`,
    };
}
