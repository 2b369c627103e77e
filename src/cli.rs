//! Runs the command the command line asked for. Every command migrates first.

use std::time::Instant;

use crate::app::{App, prepare_store};
use crate::config::{Cli, Command, DocumentsCommand, ImportFormat, KeysCommand, WebhooksCommand};
use crate::error::{Error, Result};
use crate::exchange;
use crate::keys::Scopes;
use crate::store::api_keys::KeyRequest;
use crate::store::journal::{Actor, Origin};
use crate::store::{Store, rollups};
use crate::synthetic::{self, SyntheticOptions};

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
        Command::Keys(args) => {
            let store = Store::connect(&config).await?;
            store.migrate().await?;
            keys(&store, args.command).await
        }
        Command::Webhooks(args) => {
            let store = Store::connect(&config).await?;
            store.migrate().await?;
            webhooks(&store, args.command).await
        }
        Command::Documents(args) => {
            let store = Store::connect(&config).await?;
            store.migrate().await?;
            documents(&store, args.command).await
        }
        Command::Verify(args) => {
            let store = Store::connect(&config).await?;
            store.migrate().await?;
            verify(&store, args.show).await
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

/// `casegraph verify`: the rollups against a recomputation from the base tables.
async fn verify(store: &Store, show: u64) -> Result<()> {
    let started = Instant::now();
    let differences = rollups::verify(store.pool(), show.saturating_add(1)).await?;
    let elapsed = started.elapsed().as_secs_f64();
    if differences.is_empty() {
        println!("statistics rollups match the cases ({elapsed:.1} s)");
        return Ok(());
    }
    for difference in differences.iter().take(usize::try_from(show).unwrap_or(usize::MAX)) {
        println!(
            "{}:{} {} {} {:?}: stored {}, computed {}",
            difference.scope,
            difference.scope_key,
            difference.dimension,
            difference.status,
            difference.key,
            difference.stored,
            difference.computed
        );
    }
    let more = if differences.len() as u64 > show { " (and more)" } else { "" };
    Err(Error::Verification(format!(
        "statistics rollups differ from the cases in {} rows{more}",
        differences.len().min(usize::try_from(show).unwrap_or(usize::MAX))
    )))
}

/// `casegraph keys …`: the key is printed once, on creation; listing never shows secrets.
async fn keys(store: &Store, command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Create(args) => {
            let request = KeyRequest {
                name: args.name,
                scopes: Scopes::parse_list(&args.scopes)?,
                budget: args.budget,
                refill: args.refill,
            };
            let (record, key) = store
                .create_api_key(&request, Origin::new(Actor::command_line(), "keys create", None))
                .await?;
            eprintln!(
                "created key {} ({}) with scopes {}; it is shown once, store it now:",
                record.prefix, record.name, record.scopes
            );
            println!("{}", key.secret);
        }
        KeysCommand::List => {
            println!(
                "{:<6} {:<12} {:<24} {:<28} {:<18} {:<21} status",
                "id", "prefix", "name", "scopes", "budget", "created"
            );
            for key in store.api_keys().await? {
                let budget = match (key.budget, key.refill) {
                    (None, None) => "default".to_owned(),
                    (budget, refill) => format!(
                        "{}/{}",
                        budget.map_or("default".to_owned(), |value| value.to_string()),
                        refill.map_or("default".to_owned(), |value| format!("{value}/s"))
                    ),
                };
                let status = match key.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%dT%H:%M:%SZ")),
                    None => "active".to_owned(),
                };
                println!(
                    "{:<6} {:<12} {:<24} {:<28} {:<18} {:<21} {status}",
                    key.id,
                    key.prefix,
                    key.name,
                    key.scopes.to_string(),
                    budget,
                    key.created_at.format("%Y-%m-%dT%H:%M:%SZ")
                );
            }
        }
        KeysCommand::Revoke(args) => {
            let key = store
                .revoke_api_key(&args.key, Origin::new(Actor::command_line(), "keys revoke", None))
                .await?;
            println!("revoked key {} ({})", key.prefix, key.name);
        }
    }
    Ok(())
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

/// `casegraph webhooks …`: the signing secret is printed once, on creation.
async fn webhooks(store: &Store, command: WebhooksCommand) -> Result<()> {
    match command {
        WebhooksCommand::Create(args) => {
            let new = crate::delivery::new_webhook(
                &args.url,
                args.description,
                &args.subjects,
                &args.kinds,
                args.include_drafts,
                args.allow_private_targets,
            )
            .await
            .map_err(Error::BadUserInput)?;
            let (model, secret) = store.create_webhook(&new).await?;
            eprintln!(
                "created webhook {} for {}; its signing secret is shown once, store it now:",
                model.id, model.url
            );
            println!("{secret}");
        }
        WebhooksCommand::List => {
            println!("{:<6} {:<10} {:<30} url", "id", "status", "events");
            for hook in store.webhooks().await? {
                let status = if hook.enabled { "enabled" } else { "disabled" };
                let events = format!("{} {}", hook.subjects, hook.kinds);
                println!("{:<6} {status:<10} {events:<30} {}", hook.id, hook.url);
                if let Some(reason) = hook.disabled_reason {
                    println!("       {reason}");
                }
            }
        }
        WebhooksCommand::Delete(args) => {
            if !store.delete_webhook(args.id).await? {
                return Err(Error::NotFound(format!("webhook {}", args.id)));
            }
            eprintln!("deleted webhook {} and its deliveries", args.id);
        }
        WebhooksCommand::Deliveries(args) => {
            println!(
                "{:<8} {:<8} {:<10} {:<8} {:<24} type",
                "id", "webhook", "status", "attempts", "created"
            );
            for delivery in store.webhook_deliveries(args.webhook, None, None, args.limit).await? {
                println!(
                    "{:<8} {:<8} {:<10} {:<8} {:<24} {}",
                    delivery.id,
                    delivery.webhook_id,
                    delivery.status,
                    delivery.attempts,
                    delivery.created_at.format("%Y-%m-%dT%H:%M:%SZ"),
                    delivery.event_type
                );
            }
        }
    }
    Ok(())
}

/// `casegraph documents …`: trusted documents from clients' manifests.
async fn documents(store: &Store, command: DocumentsCommand) -> Result<()> {
    match command {
        DocumentsCommand::Add(args) => {
            let text = std::fs::read_to_string(&args.file)?;
            let documents = crate::http::trusted::parse_manifest(&text).map_err(|problems| {
                Error::BadUserInput(format!(
                    "{} was not registered: {}",
                    args.file.display(),
                    problems.join("; ")
                ))
            })?;
            let count = store.add_trusted_documents(args.client.as_deref(), documents).await?;
            eprintln!("registered {count} documents from {}", args.file.display());
        }
        DocumentsCommand::List => {
            println!("{:<64} {:<20} name", "hash", "client");
            for document in store.trusted_documents().await? {
                println!(
                    "{:<64} {:<20} {}",
                    document.hash,
                    document.client.unwrap_or_default(),
                    document.name.unwrap_or_default()
                );
            }
        }
        DocumentsCommand::Remove(args) => {
            if args.hash.is_none() && args.client.is_none() {
                return Err(Error::BadUserInput("name a hash or --client".to_owned()));
            }
            let removed =
                store.remove_trusted_documents(args.hash.as_deref(), args.client.as_deref()).await?;
            eprintln!("removed {removed} documents");
        }
    }
    Ok(())
}
