//! Giving memory back when the window closes. WebKit and GTK free what the window used, but
//! glibc's allocator keeps freed heap pages mapped for reuse, so a closed window would go on
//! costing tens of megabytes. `malloc_trim(0)` hands them back to the system. With other C
//! libraries (musl, macOS, Windows) there is nothing to do.

/// Returns freed heap memory to the system, where the allocator keeps it (glibc).
pub fn release_freed_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim has no preconditions: it walks glibc's own arenas under their locks
    // and may be called from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
