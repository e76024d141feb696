//! CPU time as Linux accounts it, read from `/proc` (no `unsafe`, no libc): a process's
//! user+system time, the time of the children this process has waited for
//! (`cutime`+`cstime`, what `getrusage(RUSAGE_CHILDREN)` reports), and the machine's busy time
//! from `/proc/stat`. `/proc/PID/stat` shows times in clock ticks (`USER_HZ`, 100 per second), so
//! a process's time is read to the nanosecond from each thread's `schedstat` instead (the
//! scheduler's run time: user and system alike) whenever the set of threads is the same at both
//! ends of a measurement; when a thread came or went, the tick figure (which keeps dead threads'
//! time) is used.

use std::fs;
use std::time::Duration;

/// `USER_HZ`: the unit of the times in `/proc/PID/stat` (fixed at 100 by the Linux ABI).
const TICKS_PER_SECOND: u64 = 100;

fn ticks(n: u64) -> Duration {
    Duration::from_millis(n * 1000 / TICKS_PER_SECOND)
}

/// The fields of `/proc/PID/stat` after the parenthesised command name (field 3 onwards).
fn stat_fields(pid: &str) -> Option<Vec<u64>> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = text.rsplit_once(')')?;
    // Field 3 (state) is a letter; keep the numbering by mapping it to 0.
    Some(
        rest.split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect(),
    )
}

/// utime+stime (fields 14, 15) or cutime+cstime (16, 17) of `pid`.
fn times(pid: &str, children: bool) -> Option<Duration> {
    let f = stat_fields(pid)?;
    // rest[0] is field 3, so field n is rest[n - 3].
    let (a, b) = if children { (13, 14) } else { (11, 12) };
    Some(ticks(f.get(a)? + f.get(b)?))
}

/// The share of system time in `pid`'s (or its waited children's) CPU so far: (system, total)
/// in ticks.
pub fn sys_ticks(pid: &str, children: bool) -> (u64, u64) {
    let Some(f) = stat_fields(pid) else {
        return (0, 0);
    };
    let (u, s) = if children { (13, 14) } else { (11, 12) };
    let (user, sys) = (
        f.get(u).copied().unwrap_or(0),
        f.get(s).copied().unwrap_or(0),
    );
    (sys, user + sys)
}

/// The system share of the CPU between two [`sys_ticks`] readings (None when no tick passed).
pub fn sys_share(before: (u64, u64), after: (u64, u64)) -> Option<f64> {
    let total = after.1.checked_sub(before.1)?;
    (total > 0).then(|| after.0.saturating_sub(before.0) as f64 / total as f64)
}

/// This process's user+system CPU time, in ticks.
#[cfg(test)]
fn self_cpu() -> Duration {
    times("self", false).unwrap_or_default()
}

/// A reading of one process's CPU time, precise where the threads allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcCpu {
    tids: Vec<u32>,
    sched: Duration,
    ticks: Duration,
}

impl ProcCpu {
    /// Reads process `pid` (`"self"` for this one).
    pub fn read(pid: &str) -> Self {
        let mut tids: Vec<u32> = fs::read_dir(format!("/proc/{pid}/task"))
            .map(|dir| {
                dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        tids.sort_unstable();
        let sched = tids
            .iter()
            .filter_map(|tid| {
                let text = fs::read_to_string(format!("/proc/{pid}/task/{tid}/schedstat")).ok()?;
                text.split_whitespace().next()?.parse::<u64>().ok()
            })
            .map(Duration::from_nanos)
            .sum();
        Self {
            tids,
            sched,
            ticks: times(pid, false).unwrap_or_default(),
        }
    }

    /// Process `pid`'s reading.
    pub fn of(pid: u32) -> Self {
        Self::read(&pid.to_string())
    }

    /// The CPU used between `earlier` and this reading.
    pub fn since(&self, earlier: &Self) -> Duration {
        if self.tids == earlier.tids && !self.tids.is_empty() && self.sched >= earlier.sched {
            self.sched - earlier.sched
        } else {
            self.ticks.saturating_sub(earlier.ticks)
        }
    }
}

/// User+system CPU time of this process's waited-for children.
pub fn children_cpu() -> Duration {
    times("self", true).unwrap_or_default()
}

/// The machine's busy and total CPU time so far (all cores), from the `cpu` line of
/// `/proc/stat`: busy is everything but idle and iowait.
pub fn machine_cpu() -> (Duration, Duration) {
    let Ok(text) = fs::read_to_string("/proc/stat") else {
        return (Duration::ZERO, Duration::ZERO);
    };
    let Some(line) = text.lines().find(|l| l.starts_with("cpu ")) else {
        return (Duration::ZERO, Duration::ZERO);
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest times are inside user already)
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    (ticks(total - idle), ticks(total))
}

/// A CPU meter over one stretch of work.
#[derive(Debug, Clone)]
pub struct Meter {
    own: ProcCpu,
    own_sys: (u64, u64),
    children_sys: (u64, u64),
    children: Duration,
    machine_busy: Duration,
    machine_total: Duration,
}

/// What a [`Meter`] saw.
#[derive(Debug, Clone, Copy)]
pub struct Used {
    /// This process's CPU.
    pub own: Duration,
    /// Waited-for children's CPU.
    pub children: Duration,
    /// The system (kernel) share of `own`.
    pub own_sys_share: Option<f64>,
    /// The system (kernel) share of `children`.
    pub children_sys_share: Option<f64>,
    /// The whole machine's busy CPU (all cores, every process).
    pub machine_busy: Duration,
    /// The machine's total CPU (all cores, busy or idle) over the stretch.
    pub machine_total: Duration,
}

impl Meter {
    /// Starts measuring.
    pub fn start() -> Self {
        let (machine_busy, machine_total) = machine_cpu();
        Self {
            own: ProcCpu::read("self"),
            own_sys: sys_ticks("self", false),
            children_sys: sys_ticks("self", true),
            children: children_cpu(),
            machine_busy,
            machine_total,
        }
    }

    /// What was used since [`Meter::start`].
    pub fn stop(&self) -> Used {
        let (busy, total) = machine_cpu();
        Used {
            own: ProcCpu::read("self").since(&self.own),
            own_sys_share: sys_share(self.own_sys, sys_ticks("self", false)),
            children_sys_share: sys_share(self.children_sys, sys_ticks("self", true)),
            children: children_cpu().saturating_sub(self.children),
            machine_busy: busy.saturating_sub(self.machine_busy),
            machine_total: total.saturating_sub(self.machine_total),
        }
    }
}

/// `/proc/loadavg`'s first three numbers.
pub fn loadavg() -> [f64; 3] {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut it = text
        .split_whitespace()
        .map(|f| f.parse::<f64>().unwrap_or(f64::NAN));
    [
        it.next().unwrap_or(f64::NAN),
        it.next().unwrap_or(f64::NAN),
        it.next().unwrap_or(f64::NAN),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_cpu_grows_with_work() {
        let before = self_cpu();
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(120) {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        }
        std::hint::black_box(x);
        assert!(self_cpu() - before >= Duration::from_millis(50));
    }

    #[test]
    fn precise_reading_sees_milliseconds_of_work() {
        let before = ProcCpu::read("self");
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(30) {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let used = ProcCpu::read("self").since(&before);
        assert!(used >= Duration::from_millis(10), "{used:?}");
        assert!(used < Duration::from_secs(1), "{used:?}");
    }

    #[test]
    fn waited_children_are_counted() {
        let before = children_cpu();
        let status = std::process::Command::new("sh")
            .args(["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"])
            .status()
            .expect("run sh");
        assert!(status.success());
        assert!(children_cpu() > before);
    }

    #[test]
    fn kernel_share_is_a_fraction_of_the_ticks_between_readings() {
        assert_eq!(sys_share((2, 10), (7, 20)), Some(0.5));
        assert_eq!(sys_share((2, 10), (2, 10)), None);
        assert_eq!(sys_share((2, 10), (3, 5)), None);
    }

    #[test]
    fn machine_busy_is_at_most_total() {
        let (busy, total) = machine_cpu();
        assert!(total > Duration::ZERO);
        assert!(busy <= total);
    }
}
