#!/usr/bin/env bash
# Installs drover's build and test dependencies from Debian, idempotently.
# Safe to run repeatedly: it only calls apt-get when a package is missing.
set -euo pipefail

pkgs=(
    build-essential cmake pkg-config clang clang-format
    libcurl4-openssl-dev libssl-dev libjansson-dev libyaml-dev libexpat1-dev
    libsqlite3-dev libmicrohttpd-dev libcmocka-dev
    curl valgrind
)
# Test peers (real AWS clients): Debian's AWS CLI v2. The pyenv Python with
# boto3/moto is provided by the machine image.
# chromium renders the doctor HTML report to a PNG in t0701 (skipped without it).
optional=(awscli wrk chromium)

missing=()
for p in "${pkgs[@]}" "${optional[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all packages present"
    exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
for p in "${optional[@]}"; do
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$p" >/dev/null 2>&1 ||
        echo "deps: optional package $p unavailable; tests that need it will skip"
done
echo "deps: done"
