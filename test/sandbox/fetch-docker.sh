#!/usr/bin/env bash
# fetch-docker.sh DIR: unpacks Debian trixie's dockerd 26 and containerd 1.7 into DIR, without
# installing anything system-wide, so the host sandbox also runs on the Docker generation Ubuntu
# 24.04 ships (bookworm's docker.io is 20.10). The bookworm runc in /usr/sbin is used with them:
# trixie's needs a newer glibc.
set -euo pipefail
target=$1
[ -x "$target/usr/sbin/dockerd" ] && exit 0
apt_dir=$(mktemp -d)
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs" "$target"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" > "$apt_dir/sources.list"
apt_options=(-o APT::Sandbox::User=root -o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
apt-get "${apt_options[@]}" update -qq
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" -qq download docker.io containerd)
for deb in "$apt_dir"/debs/*.deb; do dpkg -x "$deb" "$target"; done
"$target/usr/sbin/dockerd" --version
