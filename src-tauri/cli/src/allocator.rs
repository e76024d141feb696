//! The process's memory allocator. On Linux it is mimalloc rather than glibc's malloc: profiled
//! at 200 probes a second, glibc's allocator took a third of the agent's user-space CPU — a
//! probe's small allocations come in bursts of a few concurrent probes, more than its per-thread
//! cache holds, and each connection's I/O state is 128-byte aligned, which glibc serves by
//! splitting larger chunks. Other systems keep their native allocator.

#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
