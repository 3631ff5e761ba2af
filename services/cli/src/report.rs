//! `erasure report`: the period report for regulators, as JSON or as an HTML page.

use crate::client::{Target, connect, emit, rpc};
use crate::progress;
use anyhow::Result;
use clap::{Args, ValueEnum};
use erasure_proto::v1 as pb;
use erasure_runtime::render::report_from_json;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Html,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// First day of the period (YYYY-MM-DD, UTC): requests received from this day.
    #[arg(long)]
    from: String,
    /// Last day of the period, inclusive.
    #[arg(long)]
    to: String,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub async fn run(server: &Target, args: ReportArgs) -> Result<()> {
    let mut client = connect(server).await?;
    let spinner = progress::spinner(&format!("building the report {} to {}", args.from, args.to));
    let answer = client
        .get_report(pb::GetReportRequest {
            from: args.from,
            to: args.to,
        })
        .await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let json = answer.map_err(rpc)?.into_inner().report_json;
    match args.format {
        Format::Json => emit("report", &json, args.output),
        Format::Html => emit("report", &report_from_json(&json)?, args.output),
    }
}
