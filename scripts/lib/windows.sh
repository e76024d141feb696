# The Windows build of EHLO Watch, cross-built from Linux and tested under Wine (sourced by
# scripts/test after it set TARGET_DIR and LOG_DIR; defines functions only).
#
# Every Windows artefact is built once per run, in a target directory of its own beside the
# Linux one: the release CLI and desktop app, and the debug test binaries of the engine and the
# CLI (with the testkit's fake server). Wine runs in a private prefix booted per run, with Mono
# and Gecko turned off (never downloaded) and the test-only ProcessPrng shim that Wine 8 lacks.

WINDOWS_TARGET=x86_64-pc-windows-gnu
# mingw links and compiles C for the target; Wine runs it; GNU time measures check-matrix runs;
# makensis builds the installer, zip the portable zip, 7z and unzip list them, osslsigncode
# signs them with a test certificate.
WINDOWS_PACKAGES=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 time
  nsis zip p7zip-full unzip osslsigncode)
WINDOWS_TARGET_DIR=${TARGET_DIR%/}-windows
WINDOWS_RELEASE=$WINDOWS_TARGET_DIR/$WINDOWS_TARGET/release
WINDOWS_DEBUG=$WINDOWS_TARGET_DIR/$WINDOWS_TARGET/debug

windows_cargo() { # windows_cargo ARGS...: cargo for the Windows target, in its own target dir
  CARGO_TARGET_DIR=$WINDOWS_TARGET_DIR cargo "$@" --target "$WINDOWS_TARGET"
}

windows_rustup_target() {
  if rustup target list --installed | grep -qx "$WINDOWS_TARGET"; then
    echo "    rustup target $WINDOWS_TARGET present"
  else
    rustup target add "$WINDOWS_TARGET"
  fi
}

wine_boot() { # wine_boot: a fresh private prefix in LOG_DIR/wine, with the ProcessPrng shim
  export WINEPREFIX=$LOG_DIR/wine WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  # Wine turns Windows' UTF-16 file names into Unix bytes through the locale's character set:
  # under the C locale (a bare CI environment) a non-ASCII name cannot be made at all, which
  # Windows itself never refuses. Wine runs with UTF-8 characters, as on any desktop.
  export LC_CTYPE=C.UTF-8
  unset LC_ALL
  local log=$LOG_DIR/wine-boot.log
  rm -rf "$WINEPREFIX"
  mkdir -p "$WINEPREFIX"
  # A persistent server (many short runs follow), then the prefix. The server and the services
  # wineboot starts outlive the command: they get no pipe of ours (a test's `| tee` would wait
  # for them forever), only the log.
  wineserver -p </dev/null >"$log" 2>&1
  wineboot -i </dev/null >>"$log" 2>&1
  # Wine 8's first boot of a prefix leaves two services.exe (two SCMs: a service created through
  # one is unknown to the other) whose auto-start phase holds the start lock for a minute; one
  # restart leaves a single, idle SCM for the Windows-service tests.
  wineserver -k && wineserver -w
  wineserver -p </dev/null >>"$log" 2>&1
  wineboot </dev/null >>"$log" 2>&1
  x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    scripts/wine/processprng.c scripts/wine/bcryptprimitives.def -lbcrypt
  echo "    Wine $(wine --version) prefix booted in $WINEPREFIX, with the ProcessPrng shim"
}

wine_stop() { # wine_stop: ends the prefix's server and every Windows process in it
  if [[ -n ${WINEPREFIX:-} ]]; then
    wineserver -k 2>/dev/null || true
  fi
}

windows_build() { # the release CLI and app, and the debug test binaries, for Windows
  windows_cargo build --release -p ehlowatch -p ehlowatch-app --features tauri/custom-protocol
  windows_cargo test --no-run -p ehlowatch-engine -p ehlowatch
  windows_cargo build -p ehlowatch-testkit --bins
  local file
  for file in "$WINDOWS_RELEASE"/{ehlowatch.exe,ehlowatch-app.exe,WebView2Loader.dll} \
    "$WINDOWS_DEBUG/fake-smtp.exe"; do
    [[ -f $file ]] || { echo "error: $file was not built" >&2; return 1; }
    printf '    %-60s %6d KiB\n' "${file#"$WINDOWS_TARGET_DIR"/}" $(($(stat -c %s "$file") / 1024))
  done
}

# suite_counts LOG: per test binary of a cargo test log, "NAME PASSED IGNORED" (NAME without its
# hash and .exe, so the Linux and the Windows runs of one suite match).
suite_counts() {
  awk '
    /^ *Running / { name = $NF; sub(/.*[\/\\]/, "", name); sub(/-[0-9a-f]+(\.exe)?\)$/, "", name); next }
    /^ *Doc-tests / { name = ""; next }
    /^test result:/ && name != "" {
      for (i = 2; i <= NF; i++) {
        w = $i; sub(/;$/, "", w)
        if (w == "passed") p[name] += $(i - 1)
        if (w == "ignored") g[name] += $(i - 1)
      }
    }
    END { for (n in p) print n, p[n], g[n] + 0 }
  ' "$1" | sort
}

# The tests that do not run under Wine, by name: those ignored on Windows and the files that
# are Unix-only or Linux-only. README's "Windows, under Wine" section must name each.
windows_exceptions() {
  grep -rh -A4 'cfg_attr(windows, ignore' src-tauri tests --include=*.rs |
    sed -n 's/^ *\(async \)\{0,1\}fn \([a-z0-9_]*\).*/\2/p'
  grep -rlE '^#!\[cfg\((unix|target_os = "linux")\)\]' src-tauri/*/tests | sed 's|.*/||'
}

windows_tests() { # the engine's and the CLI's suites under Wine, against a committed floor
  local log=$LOG_DIR/wine-test.log rc=0 floor
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$ROOT/scripts/wine/runner \
    windows_cargo test -p ehlowatch-engine -p ehlowatch --no-fail-fast --tests >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    grep -E '^test .* FAILED$|panicked at' "$log" >&2 || true
    echo "error: the Windows suites failed under Wine (exit $rc); the end of $log:" >&2
    tail -60 "$log" >&2
    return "$rc"
  fi
  local windows linux
  windows=$(suite_counts "$log")
  # `command`: scripts/test has a join() of its own.
  linux=$(command join -j1 <(echo "$windows") <(suite_counts "$LOG_DIR/cargo-test.log"))
  read -r wine_passed wine_ignored < <(awk '{ p += $2; g += $3 } END { print p + 0, g + 0 }' <<<"$windows")
  read -r linux_passed < <(awk '{ p += $4 } END { print p + 0 }' <<<"$linux")
  floor=$(cat scripts/wine/test-floor)
  echo "    engine and CLI suites: Linux $linux_passed passed, Wine $wine_passed passed" \
    "($wine_ignored ignored; floor $floor)"
  if ((wine_passed < floor)); then
    echo "error: $wine_passed tests passed under Wine, below the floor of $floor" \
      "(scripts/wine/test-floor): a test no longer builds or runs for Windows" >&2
    return 1
  fi
  local name missing=()
  while read -r name; do
    grep -q "$name" README.md || missing+=("$name")
  done < <(windows_exceptions)
  if ((${#missing[@]})); then
    echo "error: README's \"Windows, under Wine\" section does not name: ${missing[*]}" >&2
    return 1
  fi
}

windows_matrix() { # every fake-server scenario through ehlowatch.exe, compared with Linux
  local fake=$TARGET_DIR/debug/fake-smtp
  scripts/check-matrix --no-build --verdicts "$LOG_DIR/verdicts-linux.tsv" \
    --ehlowatch "$TARGET_DIR/debug/ehlowatch" --fake "$fake" \
    >"$LOG_DIR/matrix-linux.md" 2>"$LOG_DIR/matrix-linux.err"
  scripts/check-matrix --no-build --verdicts "$LOG_DIR/verdicts-windows.tsv" \
    --runner wine --ehlowatch "$WINDOWS_RELEASE/ehlowatch.exe" --fake "$fake" \
    >"$LOG_DIR/matrix-windows.md" 2>"$LOG_DIR/matrix-windows.err"
  # Known differences (scripts/wine/known-differences) are mapped back before comparing.
  local expected
  expected=$(sed -f scripts/wine/known-differences "$LOG_DIR/verdicts-windows.tsv")
  if ! diff "$LOG_DIR/verdicts-linux.tsv" <(echo "$expected") >"$LOG_DIR/matrix.diff"; then
    echo "error: ehlowatch.exe and ehlowatch disagree (< Linux, > Windows):" >&2
    cat "$LOG_DIR/matrix.diff" >&2
    return 1
  fi
  echo "    $(wc -l <"$LOG_DIR/verdicts-windows.tsv") scenarios: ehlowatch.exe's verdicts, exit codes" \
    "and failures equal Linux's ($(grep -vc '^#' scripts/wine/known-differences) known Wine difference(s))"
}

windows_agent_and_app() { # ehlowatch.exe run scraped by Prometheus; the app under Wine
  EHLOWATCH_AGENT_EXE=$WINDOWS_RELEASE/ehlowatch.exe EHLOWATCH_AGENT_RUNNER=wine \
    cargo test -p ehlowatch --test agent -- --include-ignored >"$LOG_DIR/wine-agent.log" 2>&1 ||
    { tail -60 "$LOG_DIR/wine-agent.log" >&2; return 1; }
  grep '^test result' "$LOG_DIR/wine-agent.log" | sed 's/^/    ehlowatch.exe run, the agent suite: /'
  EHLOWATCH_WINDOWS_APP=$WINDOWS_RELEASE/ehlowatch-app.exe \
    cargo test --test desktop_e2e windows_under_wine -- --ignored --nocapture \
    >"$LOG_DIR/wine-app.log" 2>&1 || { tail -60 "$LOG_DIR/wine-app.log" >&2; return 1; }
  grep -E '^\[.*\] (ok|FAILED):|^test result' "$LOG_DIR/wine-app.log" | sed 's/^/    /'
}

windows_package() { # the installer and the portable zip, from the release build, installed under Wine
  local out=$LOG_DIR/windows-package
  # Signed with a throwaway test certificate, as CI always does (scripts/package-windows).
  scripts/package-windows --release "$WINDOWS_RELEASE" --out "$out" --sign-test
  scripts/check-windows-package "$out" | tee "$LOG_DIR/check-windows-package.log"
  windows_package_summary=$(tail -1 "$LOG_DIR/check-windows-package.log")
}
