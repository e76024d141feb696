# Room on the disk of the build caches, for scripts/test (sourced).
#
# A run writes into the caches: a cold run all of them, a warm one its changed crates and new
# incremental sessions. On a long-lived machine the caches also keep what no run needs any more
# (old commits' crates and sessions). Before a run, when the disk has less room than the run may
# write, the incremental sessions go first (the next build is slower, never wrong), then the
# caches themselves (the run builds cold); the fuzz corpus and this run's logs stay. A disk that
# is too full even then is an error that names the disk and the figures.

# What a cold run leaves in the caches (debug, release, Windows, macOS, fuzz), in GiB: 24.5
# measured on 2026-12-07, with room for growth.
DISK_COLD_GIB=${DISK_COLD_GIB:-30}
# What a warm run may add to full caches (changed crates, sessions kept until the build ends).
DISK_WARM_GIB=${DISK_WARM_GIB:-6}
# Room kept beyond that: packages, the Wine prefix, logs, and what the tests write to /tmp.
DISK_SPARE_GIB=${DISK_SPARE_GIB:-6}

free_gib() { # free_gib PATH: whole GiB free on the disk holding PATH
  df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'
}

cache_gib() { # cache_gib DIR...: whole GiB the caches that exist take
  local dirs=() dir
  for dir in "$@"; do [[ -d $dir ]] && dirs+=("$dir"); done
  ((${#dirs[@]})) || { echo 0; return; }
  du -skc "${dirs[@]}" 2>/dev/null | awk 'END { printf "%d", $1 / 1048576 }'
}

measure_room() { # measure_room DIR...: sets the caller's cached, free and needed (whole GiB)
  cached=$(cache_gib "$@")
  free=$(free_gib "$1")
  # What this run may write: the rest of a cold run's caches, at least a warm run's, plus spare.
  needed=$((DISK_COLD_GIB - cached))
  ((needed < DISK_WARM_GIB)) && needed=$DISK_WARM_GIB
  needed=$((needed + DISK_SPARE_GIB))
}

disk_room() { # disk_room CACHE_DIR...: makes room for the run on the caches' disk, or fails
  local first=$1 cached free needed dir
  measure_room "$@"
  if ((free >= needed)); then
    echo "    disk: $free GiB free, $needed GiB needed (caches $cached GiB)"
    return 0
  fi
  echo "    disk: $free GiB free, $needed GiB needed: removing the caches' incremental sessions"
  for dir in "$@"; do
    [[ -d $dir ]] && find "$dir" -maxdepth 4 -type d -name incremental -prune -exec rm -rf {} +
  done
  measure_room "$@"
  if ((free < needed)); then
    echo "    disk: $free GiB free, $needed GiB needed: removing the caches (this run builds cold)"
    for dir in "$@"; do
      [[ -d $dir ]] || continue
      find "$dir" -mindepth 1 -maxdepth 1 ! -name scripts-test ! -name fuzz -exec rm -rf {} +
      [[ -d $dir/fuzz ]] && find "$dir/fuzz" -mindepth 1 -maxdepth 1 ! -name corpus -exec rm -rf {} +
    done
    measure_room "$@"
  fi
  if ((free < needed)); then
    echo "error: $free GiB free on $(df -P "$first" | awk 'NR == 2 { print $6 }'), with the" \
      "build caches removed; a cold run needs $needed GiB (DISK_COLD_GIB + DISK_SPARE_GIB)" >&2
    return 1
  fi
  echo "    disk: $free GiB free now"
}
