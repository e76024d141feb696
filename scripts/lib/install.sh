# Shared by scripts/run and scripts/test: install only what is missing, and say what was done.
# Source it from the repository root; it defines functions only.

# The desktop app's build dependencies on Debian/Ubuntu (PLATFORM.md), and what it needs to run
# (the AppIndicator library is loaded at run time).
DESKTOP_BUILD_PACKAGES=(build-essential pkg-config file libwebkit2gtk-4.1-dev libgtk-3-dev
  libayatana-appindicator3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev libdbus-1-dev
  librsvg2-dev libssl-dev)

as_root() { # as_root CMD...: runs CMD as root, through sudo when needed
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null; then
    echo "    (not root: using sudo for: $*)"
    sudo "$@"
  else
    echo "error: '$*' needs root and sudo is not installed; run this as root" >&2
    return 1
  fi
}

is_installed() { # is_installed PKG: true when dpkg has PKG installed
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

apt_install() { # apt_install PKG...: installs the packages that are not installed yet
  local missing=() pkg
  for pkg in "$@"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
  fi
  if ((${#missing[@]} == 0)); then
    echo "    Debian packages present ($# checked)"
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    echo "error: missing packages (${missing[*]}) and no apt-get: install their equivalents" >&2
    return 1
  fi
  echo "    installing Debian packages: ${missing[*]}"
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    echo 'postfix postfix/main_mailer_type select Local only' | as_root debconf-set-selections
  fi
  as_root apt-get update -q
  # No packaged service may start while installing: the tests run their own NSD, unbound,
  # Postfix and Prometheus, and unbound's service would first run unbound-anchor, which dials
  # the root servers. invoke-rc.d asks /usr/sbin/policy-rc.d (101: not allowed); one is put
  # there for the install when the machine has none, and removed after.
  local policy=/usr/sbin/policy-rc.d placed=0 rc=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# Placed by EHLO Watch scripts/test while it installs packages.\nexit 101\n' |
      as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy" && placed=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" || rc=$?
  if ((placed)); then
    as_root rm -f "$policy"
  fi
  return "$rc"
}

service_off() { # service_off PACKAGE PIDFILE: stops and disables PACKAGE's own service, where one runs
  # The tests run private instances of NSD and unbound in the network-namespace lab; a packaged
  # service would sit on port 53 of the root namespace and start again at boot (unbound's would
  # also run unbound-anchor, which dials the root servers). Without systemd (a container) the
  # package's invoke-rc.d may have started it through the init script, which writes PIDFILE.
  local name=$1 pidfile=$2
  if ! is_installed "$name"; then
    return 0
  fi
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    if systemctl is-enabled --quiet "$name" 2>/dev/null || systemctl is-active --quiet "$name" 2>/dev/null; then
      echo "    stopping and disabling the $name service (the tests run their own)"
      as_root systemctl disable --now "$name" >/dev/null 2>&1 || true
    fi
  elif [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "    stopping the $name service (the tests run their own)"
    as_root "/etc/init.d/$name" stop >/dev/null 2>&1 || as_root kill "$(cat "$pidfile")" || true
  fi
}

cargo_tool() { # cargo_tool COMMAND CRATE [VERSION]: cargo install CRATE unless COMMAND runs
  local command=$1 crate=$2 version=${3:-}
  if command -v "$command" >/dev/null; then
    echo "    $command present"
  else
    echo "    installing $crate"
    cargo install "$crate" ${version:+--version "$version"} --locked
  fi
}

ui_install() { # npm ci in ui/ when ui/package-lock.json changed since the last install
  local stamp=ui/node_modules/.lock-sha256 sum
  sum=$(sha256sum ui/package-lock.json | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then
    echo "    ui/node_modules matches ui/package-lock.json"
  else
    echo "    npm ci in ui/"
    (cd ui && npm ci --no-audit --no-fund)
    echo "$sum" >"$stamp"
  fi
}
