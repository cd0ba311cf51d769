#!/usr/bin/env bash
# fetch-docker.sh SUITE DIR: unpacks the dockerd and containerd of Debian SUITE (trixie: Docker
# 26.1, the generation Ubuntu 24.04 ships; sid: Docker 28, with its new DOCKER-FORWARD chain) into
# DIR, installing nothing system-wide, so the host sandbox runs on more than bookworm's Docker 20.10.
# The bookworm runc in /usr/sbin is used with them: the newer ones need a newer glibc.
set -euo pipefail
suite=$1
target=$2
[ -x "$target/usr/sbin/dockerd" ] && exit 0
apt_dir=$(mktemp -d)
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$target"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" > "$apt_dir/sources.list"
apt_options=(-o APT::Sandbox::User=root -o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
apt-get "${apt_options[@]}" update -qq
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" -qq download docker.io containerd)
for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$target"; done
"$target/usr/sbin/dockerd" --version
