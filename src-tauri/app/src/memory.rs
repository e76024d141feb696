//! What the app does so that the tray costs little and a closed window (almost) nothing,
//! measured by `scripts/footprint`. Linux only; elsewhere these do nothing.
//!
//! - Before GTK starts, GDK's own OpenGL is turned off (`GDK_GL=disable`, unless the user set
//!   `GDK_GL`): GTK 3 on X11 otherwise loads the GL driver at start only to choose visuals
//!   (Mesa with LLVM: ≈27 MiB of PSS), though a tray draws nothing with GL. The window's web
//!   view then draws without GPU compositing — a few forms and a chart, drawn by WebKit's own
//!   software renderer. `GDK_GL` set by the user, even empty, is left as it is.
//! - When the window is destroyed, WebKit's network process — which outlives the web view,
//!   kept for a next one — is ended (WebKit starts a new one for the next window), and glibc's
//!   allocator hands back the heap the window freed (`malloc_trim`), which it would otherwise
//!   keep mapped for reuse.
//! - After start and when the window closes, the clean pages of mapped files are handed back to
//!   the kernel (`MADV_PAGEOUT`), as it would do itself under memory pressure (WebKit and
//!   `JavaScriptCore` are most of them after a window). What the tray and the engine use faults
//!   back in at once, the rest when a window opens again.

/// Called first thing in `main`, before GTK or any other thread starts.
pub fn before_gtk_starts() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        // No other thread runs yet, so changing the environment races with nothing.
        std::env::set_var("GDK_GL", "disable");
    }
}

/// How long GTK takes to settle after start, and WebKit to tear a window down after it is
/// destroyed (its web process ending); then file pages are handed back.
pub const TEARDOWN: std::time::Duration = std::time::Duration::from_secs(5);

/// Called [`TEARDOWN`] after start (without a window) and after a window closed.
pub fn give_back_file_pages() {
    #[cfg(target_os = "linux")]
    linux::page_out_file_mappings();
}

/// Waits [`TEARDOWN`], then [`give_back_file_pages`].
pub async fn give_back_file_pages_after_teardown() {
    tokio::time::sleep(TEARDOWN).await;
    give_back_file_pages();
}

/// Called when the window has been destroyed.
pub fn after_window_closed() {
    #[cfg(target_os = "linux")]
    linux::end_network_processes();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    linux::release_freed_heap();
    #[cfg(target_os = "linux")]
    linux::page_out_file_mappings();
}

#[cfg(target_os = "linux")]
mod linux {
    /// The name WebKit gives its network process (`/proc/PID/comm` keeps 15 bytes).
    const NETWORK_PROCESS: &str = "WebKitNetworkPr";

    /// Asks this process's WebKit network processes to end (SIGTERM).
    pub(super) fn end_network_processes() {
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        for pid in entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            if parent_and_name(&stat)
                .is_some_and(|(ppid, name)| ppid == me && name == NETWORK_PROCESS)
            {
                tracing::debug!(pid, "ending WebKit's network process");
                terminate(pid);
            }
        }
    }

    /// The parent pid and the name from a `/proc/PID/stat` line (`pid (name) state ppid …`).
    fn parent_and_name(stat: &str) -> Option<(u32, &str)> {
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let name = stat.get(open + 1..close)?;
        let ppid = stat
            .get(close + 1..)?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some((ppid, name))
    }

    #[allow(unsafe_code)]
    fn terminate(pid: i32) {
        // SAFETY: kill(2) has no memory-safety preconditions; `pid` is our own child, read from
        // /proc just now (a pid reused in between could only be another child of ours).
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }

    /// Hands the resident pages of every file mapping of this process back to the kernel.
    pub(super) fn page_out_file_mappings() {
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return;
        };
        for (start, end) in maps.lines().filter_map(file_mapping) {
            page_out(start, end - start);
        }
    }

    /// The address range of a `/proc/self/maps` line that maps a file (`start-end perms offset
    /// dev inode /path`); `None` for anonymous memory, the heap, stacks and the like.
    fn file_mapping(line: &str) -> Option<(usize, usize)> {
        let mut fields = line.split_whitespace();
        let range = fields.next()?;
        let path = fields.nth(4)?;
        if !path.starts_with('/') {
            return None;
        }
        let (start, end) = range.split_once('-')?;
        let start = usize::from_str_radix(start, 16).ok()?;
        let end = usize::from_str_radix(end, 16).ok()?;
        (end > start).then_some((start, end))
    }

    #[allow(unsafe_code)]
    fn page_out(start: usize, len: usize) {
        // SAFETY: the range is one of this process's own file mappings, read from
        // /proc/self/maps just now. MADV_PAGEOUT changes no content: clean pages are read back
        // from the file on the next access, dirty private ones stay (there is no swap for them
        // to go to, or they are written there and read back). An error (a range unmapped in
        // between, an old kernel) leaves the memory as it was.
        unsafe {
            libc::madvise(start as *mut libc::c_void, len, libc::MADV_PAGEOUT);
        }
    }

    /// Returns freed heap memory to the system.
    #[cfg(target_env = "gnu")]
    #[allow(unsafe_code)]
    pub(super) fn release_freed_heap() {
        // SAFETY: malloc_trim has no preconditions: it walks glibc's own arenas under their
        // locks and may be called from any thread at any time.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn stat_lines_give_the_parent_and_the_name() {
            let stat = "4242 (WebKitNetworkPr) S 4100 4242 4100 0 -1 4194560 1 0";
            assert_eq!(
                super::parent_and_name(stat),
                Some((4100, "WebKitNetworkPr"))
            );
            let odd = "7 (a (b) c) R 1 7 7";
            assert_eq!(super::parent_and_name(odd), Some((1, "a (b) c")));
            assert_eq!(super::parent_and_name("garbage"), None);
        }

        #[test]
        fn only_file_mappings_are_paged_out() {
            let lib = "7f5a1c000000-7f5a1c200000 r-xp 00000000 fe:01 1234  /usr/lib/libwebkit.so";
            assert_eq!(
                super::file_mapping(lib),
                Some((0x7f5a_1c00_0000, 0x7f5a_1c20_0000))
            );
            let heap = "55d0c8a00000-55d0c8c00000 rw-p 00000000 00:00 0          [heap]";
            assert_eq!(super::file_mapping(heap), None);
            let anon = "7f5a1c200000-7f5a1c400000 rw-p 00000000 00:00 0";
            assert_eq!(super::file_mapping(anon), None);
        }
    }
}
