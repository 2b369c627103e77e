//! Runs the command the command line asked for. Every command migrates first.

use std::time::Instant;

use crate::app::{App, prepare_store};
use crate::config::{Cli, Command, ImportFormat};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::exchange;
use crate::store::synthetic::{self, SyntheticOptions};

/// Dispatches `cli.command` (serving when there is none).
pub async fn run(cli: Cli) -> Result<()> {
    let config = cli.config;
    tracing::debug!(?config, "configuration");
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(serve) => App::build(&config, &serve).await?.serve().await,
        Command::Migrate(args) => {
            let store = Store::connect(&config).await?;
            if args.down {
                store.migrate_down().await?;
                println!("rolled back every migration");
            } else {
                store.migrate().await?;
                println!("database is up to date");
            }
            Ok(())
        }
        Command::Seed(args) => {
            let store = prepare_store(&config).await?;
            let started = Instant::now();
            let report =
                synthetic::generate(&store, &SyntheticOptions { cases: args.synthetic, seed: args.seed })
                    .await?;
            println!(
                "created {} synthetic cases, {} organisations and {} follow-up actions in {:.1} s",
                report.cases,
                report.organisations,
                report.follow_up_actions,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Import(args) => {
            let store = prepare_store(&config).await?;
            let format = match args.format {
                Some(format) => format,
                None => format_of(&args.file)?,
            };
            let report = exchange::import_file(&store, &args.file, format).await?;
            println!("{report}");
            Ok(())
        }
        Command::Export(args) => {
            let store = prepare_store(&config).await?;
            let report = exchange::export_file(&store, &args.file).await?;
            println!("{report}");
            Ok(())
        }
        Command::ExportSchema(args) => {
            let sdl = crate::graphql::sdl();
            match args.file {
                Some(path) => std::fs::write(path, sdl)?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
    }
}

fn format_of(path: &std::path::Path) -> Result<ImportFormat> {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some(extension) if extension.eq_ignore_ascii_case("json") => Ok(ImportFormat::Json),
        Some(extension) if extension.eq_ignore_ascii_case("csv") => Ok(ImportFormat::Csv),
        _ => Err(Error::BadUserInput(format!(
            "cannot tell the format of {} from its extension: pass --format json or --format csv",
            path.display()
        ))),
    }
}
