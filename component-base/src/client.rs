//! Building the component's `kube::Client`, as upstream's
//! `clientcmd.BuildConfigFromFlags(--master, --kubeconfig)` followed by
//! `rest.AddUserAgent`.
//!
//! It does not implement `--master` overrides, client-side QPS / burst
//! throttling, or protobuf content negotiation.

use std::path::Path;

use anyhow::Context as _;
use kube::config::{KubeConfigOptions, Kubeconfig};

/// A `kube::Client` from `kubeconfig` (None: `KUBECONFIG`, `~/.kube/config`,
/// then the in-cluster service account, as `kube::Config::infer`), sending
/// `user_agent` as its User-Agent (an empty string leaves the header unset).
pub async fn client(kubeconfig: Option<&Path>, user_agent: &str) -> anyhow::Result<kube::Client> {
    let config = config(kubeconfig, user_agent).await?;
    kube::Client::try_from(config).context("failed to create the Kubernetes client")
}

/// The `kube::Config` [`client`] builds its client from (for components that make several
/// clients to one server, with different credentials).
pub async fn config(kubeconfig: Option<&Path>, user_agent: &str) -> anyhow::Result<kube::Config> {
    let mut config = match kubeconfig {
        Some(path) => {
            let file = Kubeconfig::read_from(path)
                .with_context(|| format!("failed to load kubeconfig {}", path.display()))?;
            kube::Config::from_custom_kubeconfig(file, &KubeConfigOptions::default())
                .await
                .with_context(|| format!("invalid kubeconfig {}", path.display()))?
        }
        None => kube::Config::infer()
            .await
            .context("unable to load in-cluster configuration or a kubeconfig")?,
    };
    set_user_agent(&mut config, user_agent)?;
    Ok(config)
}

/// Upstream's `rest.DefaultKubernetesUserAgent`:
/// `<command>/<version> (<os>/<arch>) kubernetes/<commit>`, with
/// `/<controller>` appended when given (as `rest.AddUserAgent` does for each
/// controller's client). `command` may be a path (its base name is used),
/// `git_version` is cut at its first `-`, `git_commit` at 7 characters, and
/// empty parts read `unknown`.
pub fn default_user_agent(
    command: &str,
    git_version: &str,
    git_commit: &str,
    controller: Option<&str>,
) -> String {
    let command = command
        .rsplit(['/', '\\'])
        .next()
        .filter(|c| !c.is_empty())
        .unwrap_or("unknown");
    let version = git_version.split('-').next().unwrap_or_default();
    let version = if version.is_empty() {
        "unknown"
    } else {
        version
    };
    let commit: String = if git_commit.is_empty() {
        "unknown".to_string()
    } else {
        git_commit.chars().take(7).collect()
    };
    let mut agent = format!(
        "{command}/{version} ({}/{}) kubernetes/{commit}",
        go_os(),
        go_arch()
    );
    if let Some(controller) = controller.filter(|c| !c.is_empty()) {
        agent.push('/');
        agent.push_str(controller);
    }
    agent
}

/// Go's `runtime.GOOS` name of this platform.
fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// Go's `runtime.GOARCH` name of this platform.
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" if cfg!(target_endian = "little") => "ppc64le",
        "powerpc64" => "ppc64",
        "s390x" => "s390x",
        "arm" => "arm",
        "riscv64" => "riscv64",
        other => other,
    }
}

fn set_user_agent(config: &mut kube::Config, user_agent: &str) -> anyhow::Result<()> {
    if user_agent.is_empty() {
        return Ok(());
    }
    let value = http::HeaderValue::from_str(user_agent)
        .with_context(|| format!("invalid User-Agent {user_agent:?}"))?;
    config
        .headers
        .retain(|(name, _)| name != http::header::USER_AGENT);
    config.headers.push((http::header::USER_AGENT, value));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_user_agent_matches_upstream_shape() {
        let agent = default_user_agent(
            "/usr/local/bin/kube-controller-manager",
            "v1.33.0-rust.1",
            "$Format:%H$",
            Some("node-controller"),
        );
        let expected = format!(
            "kube-controller-manager/v1.33.0 ({}/{}) kubernetes/$Format/node-controller",
            go_os(),
            go_arch()
        );
        assert_eq!(agent, expected);
        let bare = default_user_agent("", "", "", None);
        assert!(bare.starts_with("unknown/unknown ("), "{bare}");
        assert!(bare.ends_with(") kubernetes/unknown"), "{bare}");
    }

    #[test]
    fn user_agent_header_is_set_once() {
        let mut config = kube::Config::new("https://127.0.0.1:6443".parse().expect("uri"));
        set_user_agent(&mut config, "first").expect("valid");
        set_user_agent(&mut config, "kube-scheduler/v1.33.0").expect("valid");
        let agents: Vec<_> = config
            .headers
            .iter()
            .filter(|(name, _)| name == http::header::USER_AGENT)
            .map(|(_, value)| value.to_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(agents, ["kube-scheduler/v1.33.0"]);
        assert!(set_user_agent(&mut config, "bad\nagent").is_err());
    }

    #[tokio::test]
    async fn client_from_kubeconfig_file() {
        let dir = std::env::temp_dir().join(format!("component-base-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("kubeconfig");
        std::fs::write(
            &path,
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: abc\ncontexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n    namespace: kube-system\ncurrent-context: ctx\n",
        )
        .expect("write kubeconfig");
        let made = client(Some(&path), "kube-controller-manager/v1.33.0").await;
        let missing = client(Some(&dir.join("absent")), "x").await;
        let _ = std::fs::remove_dir_all(&dir);
        let made = made.expect("client");
        assert_eq!(made.default_namespace(), "kube-system");
        let err = missing.err().expect("missing kubeconfig fails");
        assert!(
            format!("{err:#}").contains("failed to load kubeconfig"),
            "{err:#}"
        );
    }
}
