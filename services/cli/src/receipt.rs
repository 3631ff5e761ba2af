//! `erasure receipt`: the receipt for the person, in their language, as text or an HTML
//! page. The words and their layout are the runtime's (`render::receipt`); this only
//! fetches the request's view and prints.

use crate::client::{Target, connect, emit, rpc};
use anyhow::Result;
use clap::Args;
use erasure_proto::v1 as pb;
use erasure_runtime::render::receipt::{self, Language};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReceiptArgs {
    /// The request.
    id: String,
    /// The person's language: fi, sv, en or de.
    #[arg(long, value_parser = parse_language)]
    lang: Language,
    /// A self-contained HTML page instead of plain text.
    #[arg(long)]
    html: bool,
    /// Write it to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn parse_language(s: &str) -> Result<Language, String> {
    s.parse()
        .map_err(|e: receipt::UnsupportedLanguage| e.to_string())
}

pub async fn run(server: &Target, args: ReceiptArgs) -> Result<()> {
    let mut client = connect(server).await?;
    let request = client
        .get(pb::GetRequest {
            request_id: args.id,
        })
        .await
        .map_err(rpc)?
        .into_inner();
    let document = receipt::compose(&request, args.lang)?;
    if args.html {
        emit("receipt (HTML)", &document.html()?, args.output)
    } else {
        emit("receipt", document.text().trim_end(), args.output)
    }
}
