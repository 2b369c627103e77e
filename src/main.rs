//! The `casegraph` binary: parse the configuration, start telemetry, run the command.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: a request allocates and frees thousands of
/// small objects (parsed documents, rows, response values) across threads, and glibc's
/// malloc spent a fifth of a page request's CPU time on them (BENCHMARKS.md). With the
/// crate's `override` feature it also serves C's malloc, so the bundled SQLite (which
/// copies every value of every row) allocates from it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
