//! The client commands: they talk to a running `erasure serve` over gRPC.

use anyhow::{Context, Result, bail};
use erasure_proto::v1 as pb;
pub use erasure_runtime::client::{Client, DEFAULT_SERVER, Target, connect, rpc};
use erasure_runtime::render::{self, text};
use std::path::PathBuf;
use tokio_stream::StreamExt;

/// How the client commands authenticate to the server, and the TLS they expect.
#[derive(Debug, clap::Args)]
pub struct Credentials {
    /// A bearer token (JWT) sent with every call. Prefer --token-file: a flag's value is
    /// visible to other users of the machine.
    #[arg(long, global = true, env = "ERASURE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// A file holding the bearer token.
    #[arg(
        long,
        global = true,
        env = "ERASURE_TOKEN_FILE",
        conflicts_with = "token"
    )]
    token_file: Option<PathBuf>,
    /// The CA certificate (PEM) that issued the server's; the server is then https://.
    #[arg(long, global = true, env = "ERASURE_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// This client's certificate (PEM), for a server that requires one (mutual TLS).
    #[arg(
        long,
        global = true,
        env = "ERASURE_CLIENT_CERT",
        requires = "client_key"
    )]
    client_cert: Option<PathBuf>,
    /// The key (PEM) of --client-cert.
    #[arg(
        long,
        global = true,
        env = "ERASURE_CLIENT_KEY",
        requires = "client_cert"
    )]
    client_key: Option<PathBuf>,
}

impl Credentials {
    /// The server with these credentials; the token file is read now.
    pub fn target(&self, server: &str) -> Result<Target> {
        let token = match (&self.token, &self.token_file) {
            (_, Some(file)) => Some(
                std::fs::read_to_string(file)
                    .with_context(|| format!("--token-file: cannot read {}", file.display()))?
                    .trim()
                    .to_owned(),
            ),
            (token, None) => token.clone(),
        };
        Ok(Target {
            server: server.to_owned(),
            token: token.filter(|t| !t.is_empty()),
            ca_cert: self.ca_cert.clone(),
            client_cert: self.client_cert.clone(),
            client_key: self.client_key.clone(),
        })
    }
}

#[derive(Debug, clap::Args)]
pub struct SubmitArgs {
    /// The person's e-mail address (repeat the flag for several).
    #[arg(long)]
    pub email: Vec<String>,
    /// The person's phone number: international (+358...), or the national format of the
    /// jurisdiction (040 123 4567 in FI).
    #[arg(long)]
    pub phone: Vec<String>,
    /// The person's customer number.
    #[arg(long)]
    pub customer_id: Vec<String>,
    /// The person's national identity code (the Finnish henkilötunnus).
    #[arg(long)]
    pub national_id: Vec<String>,
    /// A device of the person's: serial number or hardware address.
    #[arg(long)]
    pub device_id: Vec<String>,
    /// An account of the person's in a system.
    #[arg(long)]
    pub account_id: Vec<String>,
    /// An IP address of the person's.
    #[arg(long = "ip")]
    pub ip_address: Vec<String>,
    /// ISO 3166-1 alpha-2 country whose law applies. Default: the server's
    /// `[retention] default_jurisdiction`; refused when it names none.
    #[arg(long)]
    pub jurisdiction: Option<String>,
    /// How the request arrived: phone, email, chat, app...
    #[arg(long, default_value = "cli")]
    pub channel: String,
    /// How (or by whom) the person's identity was verified.
    #[arg(long, default_value = "unspecified")]
    pub verified_by: String,
    /// A key of yours: submitting it again returns the same request.
    #[arg(long)]
    pub idempotency_key: Option<String>,
    /// Only these systems (repeat the flag); all systems when absent.
    #[arg(long = "system")]
    pub scope: Vec<String>,
    /// The controller the request is for, where the deployment acts for several.
    #[arg(long)]
    pub controller: Option<String>,
    /// The person asks to be told who their data was disclosed to (GDPR Art. 19): the
    /// request and its certificate list the recipients for them.
    #[arg(long)]
    pub disclose_recipients: bool,
}

pub async fn submit(server: &Target, a: SubmitArgs) -> Result<()> {
    let mut client = connect(server).await?;
    let request = pb::SubmitRequest {
        idempotency_key: a.idempotency_key.unwrap_or_default(),
        identifiers: Some(pb::Identifiers {
            email: a.email,
            phone: a.phone,
            customer_id: a.customer_id,
            national_id: a.national_id,
            device_id: a.device_id,
            account_id: a.account_id,
            ip_address: a.ip_address,
        }),
        jurisdiction: a.jurisdiction.unwrap_or_default(),
        channel: a.channel,
        verified_by: a.verified_by,
        scope: a.scope,
        controller: a.controller.unwrap_or_default(),
        disclose_recipients: a.disclose_recipients,
    };
    let r = client.submit(request).await.map_err(rpc)?.into_inner();
    if r.existing {
        eprintln!("(this idempotency key was used before: that request is returned)");
    }
    println!("{}", r.request_id);
    Ok(())
}

pub async fn extend(server: &Target, id: String, months: u32, reason: String) -> Result<()> {
    let mut client = connect(server).await?;
    let r = client
        .extend(pb::ExtendRequest {
            request_id: id,
            months,
            reason,
        })
        .await
        .map_err(rpc)?
        .into_inner();
    println!("deadline extended to {}", r.deadline);
    Ok(())
}

pub async fn reject(server: &Target, id: String, reason: String) -> Result<()> {
    let mut client = connect(server).await?;
    let r = client
        .reject(pb::RejectRequest {
            request_id: id,
            reason,
        })
        .await
        .map_err(rpc)?
        .into_inner();
    println!("request {} rejected", r.request_id);
    Ok(())
}

pub async fn retry(
    server: &Target,
    id: String,
    system: Option<String>,
    reason: Option<String>,
) -> Result<()> {
    let mut client = connect(server).await?;
    let r = client
        .retry(pb::RetryRequest {
            request_id: id,
            system_id: system.unwrap_or_default(),
            reason: reason.unwrap_or_default(),
        })
        .await
        .map_err(rpc)?
        .into_inner();
    print!("{}", text::request(&r));
    Ok(())
}

/// `7d` or `7`: a number of days.
pub fn parse_days(s: &str) -> Result<u32> {
    let n = s.trim().strip_suffix('d').unwrap_or(s.trim());
    match n.parse::<u32>() {
        Ok(d) if d > 0 => Ok(d),
        _ => bail!("{s:?} is not a number of days such as 7d"),
    }
}

pub async fn status(server: &Target, id: String) -> Result<()> {
    let mut client = connect(server).await?;
    let r = client
        .get(pb::GetRequest { request_id: id })
        .await
        .map_err(rpc)?
        .into_inner();
    print!("{}", text::request(&r));
    Ok(())
}

pub fn parse_status(s: &str) -> Result<pb::RequestStatus> {
    Ok(match s {
        "in-progress" => pb::RequestStatus::InProgress,
        "completed" => pb::RequestStatus::Completed,
        "failed" => pb::RequestStatus::Failed,
        "rejected" => pb::RequestStatus::Rejected,
        other => bail!("unknown status {other:?}: use in-progress, completed, failed or rejected"),
    })
}

/// What `erasure list` shows.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// in-progress, completed or failed.
    #[arg(long)]
    pub status: Option<String>,
    /// Only requests in progress past their deadline.
    #[arg(long)]
    pub overdue: bool,
    /// Only requests in progress due within this many days, e.g. 7d.
    #[arg(long, value_parser = parse_days)]
    pub due_within: Option<u32>,
    /// Only requests with a task for this system.
    #[arg(long)]
    pub system: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

pub async fn list(server: &Target, args: ListArgs) -> Result<()> {
    let ListArgs {
        status,
        overdue,
        due_within,
        system,
        limit,
    } = args;
    let limit = limit.max(1);
    let filter = status
        .as_deref()
        .map(parse_status)
        .transpose()?
        .unwrap_or_default();
    let mut client = connect(server).await?;
    let mut token = String::new();
    let mut shown = 0u32;
    println!("{}", text::list_header());
    loop {
        let page = client
            .list(pb::ListRequest {
                status: filter as i32,
                page_size: 100.min(limit - shown),
                page_token: token,
                overdue,
                due_within_days: due_within.unwrap_or_default(),
                system_id: system.clone().unwrap_or_default(),
                ..Default::default()
            })
            .await
            .map_err(rpc)?
            .into_inner();
        for r in &page.requests {
            println!("{}", text::list_row(r));
            shown += 1;
        }
        token = page.next_page_token;
        if token.is_empty() || shown >= limit {
            return Ok(());
        }
    }
}

pub async fn watch(server: &Target, id: String) -> Result<()> {
    let mut client = connect(server).await?;
    let mut stream = client
        .watch(pb::GetRequest { request_id: id })
        .await
        .map_err(rpc)?
        .into_inner();
    let mut last = None;
    while let Some(update) = stream.next().await {
        let r = update.map_err(rpc)?;
        let time = chrono::Utc::now().format("%H:%M:%S").to_string();
        print!("{}", text::progress(&r, &time));
        last = Some(r);
    }
    match last {
        Some(r) if r.status == pb::RequestStatus::Completed as i32 => {
            println!(
                "completed; certificate: erasure certificate {}",
                r.request_id
            );
            Ok(())
        }
        Some(r) if r.status == pb::RequestStatus::Failed as i32 => bail!(
            "request {} failed: see `erasure status {}`",
            r.request_id,
            r.request_id
        ),
        _ => bail!("the server ended the stream before the request was final"),
    }
}

pub async fn certificate(
    server: &Target,
    id: String,
    supplement: Option<usize>,
    html: bool,
    out: Option<PathBuf>,
) -> Result<()> {
    let mut client = connect(server).await?;
    let c = client
        .get_certificate(pb::GetRequest { request_id: id })
        .await
        .map_err(rpc)?
        .into_inner();
    if html {
        let page = render::certificate_from_json(&c.certificate_json, &c.supplement_json)?;
        return emit("certificate (HTML)", &page, out);
    }
    let (what, json) = match supplement {
        None => ("certificate", c.certificate_json),
        Some(n) => match c.supplement_json.into_iter().nth(n.saturating_sub(1)) {
            Some(json) if n > 0 => ("supplement", json),
            _ => bail!("the request has no supplement {n}"),
        },
    };
    emit(what, &json, out)
}

/// Writes a document to a file (saying so on standard error) or to standard output.
pub fn emit(what: &str, text: &str, out: Option<PathBuf>) -> Result<()> {
    match out {
        Some(path) => {
            std::fs::write(&path, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("{what} written to {}", path.display());
        }
        None => println!("{text}"),
    }
    Ok(())
}
