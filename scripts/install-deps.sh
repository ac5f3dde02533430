#!/usr/bin/env bash
# Installs the Debian 12 packages Coffer needs to build and test. Idempotent: when every
# package is already installed it asks dpkg once and exits without touching the network.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev openssl libsqlite3-dev sqlite3
  libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libhyperscan-dev libcurl4-openssl-dev libgoogle-perftools-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  curl openssh-client python3 python3-yaml python3-jsonschema procps
  libpq-dev postgresql-15
  chromium nodejs
)
# npm: Debian's package, unless a node that bundles its own is installed.
command -v npm >/dev/null 2>&1 || packages+=(npm)

# The browser tests' driver, pinned by tests/browser/package-lock.json (it downloads no
# browser: the tests use Debian's chromium).
browser_driver() {
  local dir
  dir="$(dirname "$0")/../tests/browser"
  if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
    echo "install-deps: npm ci in tests/browser" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

# The PostgreSQL tests run the server as this unprivileged user (the package creates it;
# a system without it gets one).
ensure_postgres_user() {
  if ! id -u postgres >/dev/null 2>&1; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  ensure_postgres_user
  browser_driver
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
ensure_postgres_user
browser_driver
