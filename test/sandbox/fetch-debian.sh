#!/usr/bin/env bash
# fetch-debian.sh SUITE DIR PACKAGE...: unpacks PACKAGEs of Debian SUITE into DIR, installing nothing
# system-wide, so the tests run on newer builds than bookworm's: trixie's Docker 26 (the generation
# Ubuntu 24.04 ships), sid's Docker 28 (the DOCKER-FORWARD chain) and sid's nginx 1.30 (upstream
# servers resolved at run time; bookworm's 1.22 rejects `http2 on;`), which comes with the libraries
# it links and sid's loader, and runs on those only. bookworm's runc in /usr/sbin runs with the
# Dockers: newer ones need a newer glibc.
set -euo pipefail
suite=$1
target=$2
shift 2
stamp="$target/.packages"
[ "$(cat "$stamp" 2> /dev/null)" = "$*" ] && exit 0
apt_dir=$(mktemp -d)
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$target"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" > "$apt_dir/sources.list"
apt_options=(-o APT::Sandbox::User=root -o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
apt-get "${apt_options[@]}" update -qq
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" -qq download "$@")
for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$target"; done
echo "$*" > "$stamp"
