//! Process-wide logging set-up: a `tracing-subscriber` formatter writing to
//! stderr, in the role klog plays for upstream components.
//!
//! It does not offer klog's flags (`--log-file`, `--logging-format=json`,
//! `--vmodule`) nor runtime changes of the verbosity.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (fmt to stderr).
///
/// `level` is one of `error`, `warn`, `info`, `debug`, `trace`, a klog-style
/// verbosity number (`0`–`1` → info, `2`–`4` → debug, `5` and up → trace), or
/// any `EnvFilter` directive such as `info,kube=debug`. A non-empty `RUST_LOG`
/// environment variable overrides `level`. A directive that does not parse
/// falls back to `info` (and says so). Calling it again is harmless: the first
/// subscriber stays in place.
pub fn init(level: &str) {
    let env = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let (directive, source) = match env {
        Some(v) => (v, "RUST_LOG"),
        None => (directive_for(level), "level"),
    };
    let (filter, rejected) = match EnvFilter::try_new(&directive) {
        Ok(filter) => (filter, None),
        Err(err) => (EnvFilter::new("info"), Some(err)),
    };
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()
        .is_ok();
    if let (true, Some(err)) = (installed, rejected) {
        tracing::warn!("invalid log {source} {directive:?} ({err}); logging at info");
    }
}

/// Maps the `level` argument of [`init`] to an `EnvFilter` directive.
fn directive_for(level: &str) -> String {
    let level = level.trim();
    if level.is_empty() {
        return "info".to_string();
    }
    if let Ok(verbosity) = level.parse::<u32>() {
        return match verbosity {
            0..=1 => "info",
            2..=4 => "debug",
            _ => "trace",
        }
        .to_string();
    }
    level.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_twice_does_not_panic() {
        init("info");
        init("debug");
        init("not a [valid directive");
        tracing::info!("still logging");
    }

    #[test]
    fn level_names_and_verbosity_numbers() {
        assert_eq!(directive_for("warn"), "warn");
        assert_eq!(directive_for(""), "info");
        assert_eq!(directive_for("0"), "info");
        assert_eq!(directive_for("2"), "debug");
        assert_eq!(directive_for("10"), "trace");
        assert_eq!(directive_for("info,kube=debug"), "info,kube=debug");
        assert!(EnvFilter::try_new(directive_for("2")).is_ok());
    }
}
