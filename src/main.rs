//! The `casegraph` binary: parse the configuration, start telemetry, run the command.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = casegraph::config::Cli::parse();
    casegraph::telemetry::init(&cli.config);
    match casegraph::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            tracing::error!(%error, "command failed");
            ExitCode::FAILURE
        }
    }
}
