//! Termination signals, the part of upstream's `k8s.io/apiserver/pkg/server`
//! `SetupSignalHandler` the components use.
//!
//! Unlike upstream it does not exit the process on a second signal; the caller
//! decides what shutting down means.

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C on other platforms).
///
/// If the handlers cannot be installed it logs the error and never resolves,
/// so a broken handler does not shut the component down.
pub async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("received SIGTERM, shutting down"),
                    _ = int.recv() => tracing::info!("received SIGINT, shutting down"),
                }
            }
            (Err(err), _) | (_, Err(err)) => {
                tracing::error!("cannot install signal handlers: {err}");
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("received interrupt, shutting down"),
            Err(err) => {
                tracing::error!("cannot install signal handler: {err}");
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn shutdown_waits_without_a_signal() {
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(50), super::shutdown()).await;
        assert!(waited.is_err(), "shutdown resolved without a signal");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn sigterm_resolves_shutdown() {
        use tokio::signal::unix::{SignalKind, signal};
        // Installing a listener first means the signal can never take the
        // default action (ending the test process).
        let _guard = signal(SignalKind::terminate()).expect("install handler");
        let waiting = tokio::spawn(super::shutdown());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status();
        let Ok(status) = sent else {
            eprintln!("no kill command; skipping");
            return;
        };
        assert!(status.success());
        let resolved = tokio::time::timeout(std::time::Duration::from_secs(5), waiting).await;
        assert!(matches!(resolved, Ok(Ok(()))), "shutdown did not resolve");
    }
}
