//! What `/proc` says about this process and this machine (Linux).

use std::fs;

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`, ...); `None`
/// when it cannot be read (not Linux, or no such field).
pub fn status_kib(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    parse_status_kib(&status, field)
}

/// The peak resident set size of this process so far, in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    status_kib("VmHWM")
}

fn parse_status_kib(status: &str, field: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// The load averages over 1, 5 and 15 minutes, as `/proc/loadavg` shows them.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".to_owned())
}

/// One line about the machine: logical CPUs, CPU model, memory.
pub fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = parse_status_kib(&meminfo, "MemTotal").map_or(0.0, |kib| kib as f64 / 1024.0 / 1024.0);
    format!("{cpus} CPUs, {model}, {mem_gib:.1} GiB RAM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_fields() {
        let status = "Name:\tx\nVmPeak:\t  12345 kB\nVmHWM:\t    2048 kB\nThreads:\t3\n";
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(2048));
        assert_eq!(parse_status_kib(status, "VmPeak"), Some(12345));
        assert_eq!(parse_status_kib(status, "Threads"), None);
        assert_eq!(parse_status_kib(status, "VmRSS"), None);
    }
}
