//! What /proc says about a process, for the benches that measure a server child or
//! a `kiln run` process from outside: resident memory and CPU time (Linux only;
//! zeros where /proc has no answer).

/// The numeric fields of /proc/PID/stat after the command name (field 3 onwards,
/// so index 0 is the state and index 11 is utime).
fn stat_fields(pid: &str) -> Vec<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    after_name.split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect()
}

/// CPU seconds (user + system, all threads) of process `pid` (USER_HZ = 100).
#[allow(dead_code)]
pub fn cpu_seconds(pid: u32) -> f64 {
    let fields = stat_fields(&pid.to_string());
    let ticks = |i: usize| fields.get(i).copied().unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds of this process (all threads) and of its children waited for so
/// far: a child's time is added when it is waited for.
#[allow(dead_code)]
pub fn own_and_children_cpu_seconds() -> (f64, f64) {
    let fields = stat_fields("self");
    let ticks = |i: usize| fields.get(i).copied().unwrap_or(0.0);
    ((ticks(11) + ticks(12)) / 100.0, (ticks(13) + ticks(14)) / 100.0)
}

/// Resident memory of process `pid` in bytes (VmRSS).
#[allow(dead_code)]
pub fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}
