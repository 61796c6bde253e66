//! `--use-service-account-credentials`: each controller talks to the API server as its own
//! service account in kube-system (so the `system:controller:*` roles apply), with a bound
//! token from the TokenRequest API that is renewed before it expires — upstream's
//! DynamicControllerClientBuilder.
//!
//! Tokens are kept in files only this process reads (kube-rs re-reads a token file every
//! minute), under a private directory removed at exit.

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::{Api, PostParams};

/// How long requested tokens live; they are renewed at 80% of that.
const TOKEN_SECONDS: i64 = 3600;

/// Makes the clients controllers use.
#[derive(Clone)]
pub struct ClientBuilder {
    /// The manager's own client (its `system:kube-controller-manager` identity).
    root: kube::Client,
    /// The API server and CA the controller clients reach (from the manager's config).
    config: kube::Config,
    /// None: every controller uses the manager's own identity.
    token_dir: Option<PathBuf>,
}

impl ClientBuilder {
    /// Controllers share the manager's identity.
    pub fn shared(root: kube::Client, config: kube::Config) -> ClientBuilder {
        ClientBuilder {
            root,
            config,
            token_dir: None,
        }
    }

    /// Each controller gets its own service account's credentials; tokens go under `dir`.
    pub fn per_controller(root: kube::Client, config: kube::Config, dir: PathBuf) -> ClientBuilder {
        ClientBuilder {
            root,
            config,
            token_dir: Some(dir),
        }
    }

    /// The manager's own client, which watches for every controller (upstream's shared
    /// informers).
    pub fn informers(&self) -> kube::Client {
        self.root.clone()
    }

    /// The client of the controller whose service account is `kube-system/<account>`.
    pub async fn client(&self, account: &str) -> anyhow::Result<kube::Client> {
        let Some(dir) = &self.token_dir else {
            return Ok(self.root.clone());
        };
        let accounts: Api<ServiceAccount> = Api::namespaced(self.root.clone(), "kube-system");
        if accounts.get_opt(account).await?.is_none() {
            let sa = ServiceAccount {
                metadata: kube::api::ObjectMeta {
                    name: Some(account.into()),
                    ..Default::default()
                },
                ..Default::default()
            };
            match accounts.create(&PostParams::default(), &sa).await {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 409 => {}
                Err(e) => return Err(e.into()),
            }
        }
        let path = dir.join(format!("{account}.token"));
        write_token(&path, &request_token(&self.root, account).await?)?;
        let root = self.root.clone();
        let account_name = account.to_string();
        let renew_path = path.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs((TOKEN_SECONDS * 4 / 5) as u64)).await;
                let mut delay = Duration::from_secs(1);
                loop {
                    match request_token(&root, &account_name).await {
                        Ok(t) => {
                            if let Err(err) = write_token(&renew_path, &t) {
                                tracing::warn!(%err, account = account_name, "writing a renewed token");
                            }
                            break;
                        }
                        Err(err) => {
                            tracing::warn!(%err, account = account_name, "renewing a controller token");
                            tokio::time::sleep(delay).await;
                            delay = (delay * 2).min(Duration::from_secs(60));
                        }
                    }
                }
            }
        });
        let mut config = self.config.clone();
        config.auth_info = kube::config::AuthInfo {
            token_file: Some(path.to_string_lossy().into_owned()),
            ..Default::default()
        };
        config.headers.clear();
        Ok(kube::Client::try_from(config)?)
    }
}

async fn request_token(root: &kube::Client, account: &str) -> anyhow::Result<String> {
    let accounts: Api<ServiceAccount> = Api::namespaced(root.clone(), "kube-system");
    let req = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(TOKEN_SECONDS),
            bound_object_ref: None,
        },
        ..Default::default()
    };
    let answer: TokenRequest = accounts
        .create_subresource("token", account, &PostParams::default(), &req)
        .await?;
    answer
        .status
        .map(|s| s.token)
        .ok_or_else(|| anyhow::anyhow!("the TokenRequest for {account} has no token"))
}

fn write_token(path: &Path, token: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(token.as_bytes())?;
    std::fs::rename(tmp, path)
}
