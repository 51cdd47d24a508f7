#!/usr/bin/env bash
# Install the external tools the tests run for real, when they are missing:
# prometheus + promtool (Debian package prometheus), amtool (prometheus-alertmanager), restic,
# chromium (the browser tests drive Debian's Chromium through Playwright, which never downloads a
# browser of its own), a Java runtime for the Nu HTML checker the site tests validate pages
# with, and the DejaVu fonts (fonts-dejavu-core) the chart PNGs are drawn with.
set -euo pipefail

declare -A package_for=(
  [prometheus]=prometheus
  [promtool]=prometheus
  [amtool]=prometheus-alertmanager
  [restic]=restic
  [chromium]=chromium
  [java]=default-jre-headless
)

missing=()
for tool in "${!package_for[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_for[$tool]}")
done
# The chart-layout test rasterises labels: it needs the font the charts name first.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  echo "tools: prometheus, promtool, amtool, restic, chromium and java are installed"
  exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "tools: cannot install ${packages[*]} (not root, no sudo); tests that need them will skip" >&2
  exit 0
fi

echo "tools: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# The packages ship services; we only want the binaries, so keep them from starting.
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
for service in prometheus prometheus-alertmanager prometheus-node-exporter; do
  "${SUDO[@]}" systemctl stop "$service" >/dev/null 2>&1 || true
done
