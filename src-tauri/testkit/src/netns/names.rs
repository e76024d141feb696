//! Names of the lab's namespaces, unique per lab across threads and processes
//! (`ewlab-<pid>-<counter>-<hint>-c` / `-s`), and the sweep that removes the namespaces a
//! killed run left behind: those whose pid is no longer alive.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;

use super::exec;

/// What every lab namespace's name starts with.
const PREFIX: &str = "ewlab-";

/// Where `ip netns` keeps its namespaces, and `ip netns exec` the per-namespace `/etc` files.
pub(super) const RUN_NETNS: &str = "/run/netns";
pub(super) const ETC_NETNS: &str = "/etc/netns";

/// The longest hint kept in a name.
const HINT_LEN: usize = 16;

static COUNTER: AtomicU32 = AtomicU32::new(0);
static FIRST_SWEEP: Once = Once::new();

/// A fresh pair of names (client, server) for a lab; `hint` (kept to letters, digits and `-`)
/// makes a leftover recognisable.
pub(super) fn fresh(hint: &str) -> (String, String) {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let hint: String = hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(HINT_LEN)
        .collect();
    let base = format!("{PREFIX}{}-{n}-{hint}", std::process::id());
    (format!("{base}-c"), format!("{base}-s"))
}

/// Removes namespaces (and their `/etc/netns` directories) left by runs that were killed
/// before their labs dropped: a name whose pid is dead, and — once per process, before its
/// first lab — one carrying this process's own pid (an earlier process that had the same pid).
pub(super) fn sweep_stale() {
    let own = std::process::id();
    let mut include_own = false;
    FIRST_SWEEP.call_once(|| include_own = true);
    for dir in [RUN_NETNS, ETC_NETNS] {
        let Ok(entries) = fs::read_dir(dir) else {
            continue;
        };
        for name in entries.filter_map(|e| e.ok()?.file_name().into_string().ok()) {
            let Some(pid) = owner(&name) else { continue };
            let dead = !Path::new(&format!("/proc/{pid}")).exists();
            if dead || (include_own && pid == own) {
                remove(&name);
            }
        }
    }
}

/// The pid in a lab namespace's name, or `None` for any other name.
fn owner(name: &str) -> Option<u32> {
    name.strip_prefix(PREFIX)?.split('-').next()?.parse().ok()
}

/// Kills what runs in namespace `name`, deletes it and its `/etc/netns` directory. Never
/// panics; a namespace already gone is fine.
pub(super) fn remove(name: &str) {
    if Path::new(RUN_NETNS).join(name).exists() {
        exec::kill_all_in(name);
        if let Ok(out) = exec::output(&mut exec::command("ip", ["netns", "del", name])) {
            if !out.status.success() && Path::new(RUN_NETNS).join(name).exists() {
                eprintln!(
                    "warning: netns lab: ip netns del {name}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
    }
    let etc = Path::new(ETC_NETNS).join(name);
    if etc.exists() {
        if let Err(e) = fs::remove_dir_all(&etc) {
            eprintln!("warning: netns lab: removing {}: {e}", etc.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_carry_the_pid_and_a_clean_hint() {
        let (c1, s1) = fresh("Blocked here!");
        let (c2, _) = fresh("Blocked here!");
        assert_ne!(c1, c2);
        assert!(c1.ends_with("-blocked-here--c"), "{c1}");
        assert!(s1.ends_with("-blocked-here--s"), "{s1}");
        assert_eq!(owner(&c1), Some(std::process::id()));
        assert_eq!(owner("other-123-c"), None);
    }
}
