# Room on the disk of the build caches, for scripts/test (sourced).
#
# The caches grow with every run on a long-lived machine: each commit's crates, incremental
# sessions, the fuzz build. Before a run, below the room a cold run needs, the incremental
# sessions go first (the next build is slower, never wrong), then the caches themselves (the run
# builds cold); the fuzz corpus and this run's logs stay. A disk that is full even then is an
# error that names the disk and the figures.

# A cold run's peak use of the caches (debug, release, Windows, macOS, fuzz), in GiB, with room
# to spare for the packages and logs it writes beside them.
DISK_NEEDED_GIB=${DISK_NEEDED_GIB:-40}

free_gib() { # free_gib PATH: whole GiB free on the disk holding PATH
  df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'
}

disk_room() { # disk_room CACHE_DIR...: frees the caches' disk down to DISK_NEEDED_GIB, or fails
  local first=$1 free dir
  free=$(free_gib "$first")
  if ((free >= DISK_NEEDED_GIB)); then
    echo "    disk: $free GiB free for the build caches ($DISK_NEEDED_GIB GiB needed)"
    return 0
  fi
  echo "    disk: $free GiB free, $DISK_NEEDED_GIB GiB needed: removing the caches' incremental sessions"
  for dir in "$@"; do
    [[ -d $dir ]] && find "$dir" -maxdepth 4 -type d -name incremental -prune -exec rm -rf {} +
  done
  free=$(free_gib "$first")
  if ((free < DISK_NEEDED_GIB)); then
    echo "    disk: $free GiB free: removing the build caches themselves (this run builds cold)"
    for dir in "$@"; do
      [[ -d $dir ]] || continue
      find "$dir" -mindepth 1 -maxdepth 1 ! -name scripts-test ! -name fuzz -exec rm -rf {} +
      [[ -d $dir/fuzz ]] && find "$dir/fuzz" -mindepth 1 -maxdepth 1 ! -name corpus -exec rm -rf {} +
    done
    free=$(free_gib "$first")
  fi
  if ((free < DISK_NEEDED_GIB)); then
    echo "error: $free GiB free on $(df -P "$first" | awk 'NR == 2 { print $6 }') with the build" \
      "caches removed; a run needs $DISK_NEEDED_GIB GiB (DISK_NEEDED_GIB)" >&2
    return 1
  fi
  echo "    disk: $free GiB free now"
}
