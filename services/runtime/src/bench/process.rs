//! A server process's CPU time and memory, from `/proc/PID/stat` and `/proc/PID/status`:
//! CPU is user + system time over the measured window, memory the peak resident set
//! (VmHWM) and the resident set at the end (VmRSS).

use anyhow::{Context, Result};
use procfs::process::Process;
use serde::Serialize;

/// One reading of a process.
#[derive(Debug, Clone)]
pub struct Sample {
    pub pid: i32,
    /// User + system CPU time, in seconds.
    pub cpu_seconds: f64,
}

impl Sample {
    pub fn take(pid: i32) -> Result<Self> {
        let stat = process(pid)?
            .stat()
            .with_context(|| format!("cannot read /proc/{pid}/stat"))?;
        let ticks = (stat.utime + stat.stime) as f64;
        Ok(Self {
            pid,
            cpu_seconds: ticks / procfs::ticks_per_second() as f64,
        })
    }
}

/// What one process spent over a window.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessFigures {
    pub pid: i32,
    /// Its command line's program and first argument (`erasure serve`).
    pub name: String,
    pub cpu_seconds: f64,
    /// CPU time over the window per completed request.
    pub cpu_ms_per_request: f64,
    /// Peak resident set size (VmHWM).
    pub peak_rss_mib: f64,
    /// Resident set size at the end (VmRSS).
    pub rss_mib: f64,
}

impl ProcessFigures {
    /// The process's figures since `before`, for `completed` requests.
    pub fn since(before: &Sample, completed: u64) -> Result<Self> {
        let pid = before.pid;
        let after = Sample::take(pid)?;
        let p = process(pid)?;
        let status = p
            .status()
            .with_context(|| format!("cannot read /proc/{pid}/status"))?;
        let mib = |kib: Option<u64>| kib.unwrap_or(0) as f64 / 1024.0;
        let cpu_seconds = after.cpu_seconds - before.cpu_seconds;
        Ok(Self {
            pid,
            name: name(&p),
            cpu_seconds,
            cpu_ms_per_request: cpu_seconds * 1000.0 / completed.max(1) as f64,
            peak_rss_mib: mib(status.vmhwm),
            rss_mib: mib(status.vmrss),
        })
    }
}

fn process(pid: i32) -> Result<Process> {
    Process::new(pid).with_context(|| format!("no process {pid}"))
}

/// `erasure serve` for `/path/to/erasure serve --data-dir …`.
fn name(p: &Process) -> String {
    let args = p.cmdline().unwrap_or_default();
    let program = args
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_owned())
        .unwrap_or_else(|| "?".into());
    match args.get(1) {
        Some(first) if !first.starts_with('-') => format!("{program} {first}"),
        _ => program,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_spent_cpu_and_holds_memory() {
        let pid = i32::try_from(std::process::id()).expect("pid");
        let before = Sample::take(pid).expect("sample");
        // Spin until the kernel has counted some CPU time (ticks of 10 ms, usually).
        let started = std::time::Instant::now();
        let mut x = 0u64;
        while Sample::take(pid).expect("sample").cpu_seconds <= before.cpu_seconds {
            for i in 0..100_000u64 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
            }
            assert!(started.elapsed().as_secs() < 30, "no CPU time counted");
        }
        let f = ProcessFigures::since(&before, 4).expect("figures");
        assert_eq!(f.pid, pid);
        assert!(f.cpu_seconds > 0.0, "{f:?}");
        assert!(
            (f.cpu_ms_per_request - f.cpu_seconds * 250.0).abs() < 1e-9,
            "{f:?}"
        );
        assert!(f.peak_rss_mib > 0.0 && f.rss_mib > 0.0, "{f:?}");
        assert!(f.peak_rss_mib >= f.rss_mib, "{f:?}");
        assert!(!f.name.is_empty());
    }

    #[test]
    fn a_process_that_is_not_there_is_named() {
        let error = Sample::take(i32::MAX).expect_err("no such process");
        assert!(error.to_string().contains(&i32::MAX.to_string()), "{error}");
    }
}
