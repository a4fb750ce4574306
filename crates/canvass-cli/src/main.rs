//! `canvass`: pull every organizing tool into one warehouse, resolve the same
//! person across tools, and push results into VAN.
//!
//! Exit status: 0 when everything succeeded, 2 for a configuration error,
//! 3 when a source, record or push failed (the report says which), 1 for
//! anything else.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use canvass_core::EntityKind;
use canvass_core::registry::EnvSecrets;
use canvass_sync::{EXPORT_TABLES, Engine, RunReport, SyncOptions};

use canvass_cli::config::{self, CanvassConfig};
use canvass_cli::{
    EXIT_PARTIAL, Failure, Format, config_error, demo, export, open_warehouse_for_cli, other_error,
    progress, summary,
};

#[derive(Parser, Debug)]
#[command(
    name = "canvass",
    version,
    about = "Sync organizing tools (VAN, Action Network, Mobilize, texting) into one warehouse."
)]
struct Cli {
    /// The config file.
    #[arg(
        long,
        short,
        global = true,
        default_value = "canvass.toml",
        env = "CANVASS_CONFIG"
    )]
    config: PathBuf,
    /// Print the machine-readable run report (JSON) on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// More logging (-v info, -vv debug). Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a commented canvass.toml to start from.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check the warehouse connection (and its TLS) and every source's credentials.
    Check,
    /// Pull every source into the warehouse and resolve identities.
    Sync {
        /// Only this source (its name in canvass.toml).
        #[arg(long)]
        only: Option<String>,
        /// Read and count, store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Pull one source (optionally one entity kind).
    Pull {
        /// The source's name in canvass.toml.
        source: String,
        /// Only this entity kind (people, events, attendances, ...).
        #[arg(long)]
        entity: Option<String>,
    },
    /// Push results into another tool: `canvass push van` runs the
    /// standardized VAN sync configured in `[van_sync]`.
    Push {
        /// The target: `van`.
        #[arg(value_parser = ["van"])]
        target: String,
        /// Print the plan (counts per rule and a sample of each), write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Stream one warehouse table as CSV or NDJSON.
    Export {
        /// The table: one of those docs/warehouse.md documents.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(EXPORT_TABLES))]
        entity: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Write CSV cells exactly as stored, even text a spreadsheet would
        /// run as a formula (by default such cells get a leading `'`).
        #[arg(long)]
        keep_formulas: bool,
        /// Write here instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Write the last sync run (and the runs before it) as one self-contained HTML page.
    Report {
        /// The HTML file to write.
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// How many runs the page covers (the chart of records per source).
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// Run the whole pipeline against bundled simulators, in one command.
    Demo {
        /// The SQLite file to fill (a temporary one when absent).
        #[arg(long)]
        db: Option<PathBuf>,
        /// People in the seeded population.
        #[arg(long, default_value_t = 250)]
        people: usize,
    },
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,canvass=info",
        // tokio-postgres logs every statement's parameters (personal data) at debug.
        _ => "debug,hyper=info,h2=info,rustls=info,tokio_postgres=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CANVASS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn load(cli: &Cli) -> Result<CanvassConfig, Failure> {
    CanvassConfig::load(&cli.config).map_err(|e| config_error(e.to_string()))
}

async fn run_sync(
    cli: &Cli,
    only: Option<&str>,
    kinds: Option<EntityKind>,
    dry_run: bool,
) -> Result<RunReport, Failure> {
    let config = load(cli)?;
    let sources = config
        .build_sources(&config::registry(), &EnvSecrets, only)
        .map_err(|m| config_error(format!("{}: {m}", cli.config.display())))?;
    let warehouse = open_warehouse_for_cli(&config.warehouse.url).await?;
    let options = SyncOptions {
        kinds: kinds.map(|k| [k].into()),
        dry_run,
        progress: Some(Arc::new(progress::Reporter::new(cli.json))),
        identity: config.identity,
        ..SyncOptions::default()
    };
    Engine::new(warehouse)
        .sync(&sources, &options)
        .await
        .map_err(other_error)
}

fn finish(cli: &Cli, report: &RunReport) -> Result<(), Failure> {
    if cli.json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).map_err(other_error)?
        );
    } else {
        print!("{}", summary::run_report(report));
    }
    if report.is_success() {
        Ok(())
    } else {
        Err(Failure {
            code: EXIT_PARTIAL,
            message: "some sources or records failed; see the report above".into(),
        })
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    match &cli.command {
        Command::Init { force } => {
            if cli.config.exists() && !force {
                return Err(config_error(format!(
                    "{} already exists; pass --force to overwrite it",
                    cli.config.display()
                )));
            }
            std::fs::write(&cli.config, config::TEMPLATE)
                .map_err(|e| other_error(format!("{}: {e}", cli.config.display())))?;
            println!(
                "wrote {}: edit the sources, export the API keys it names, then run `canvass check`",
                cli.config.display()
            );
            Ok(())
        }
        Command::Check => {
            let config = load(&cli)?;
            let sources = config
                .build_sources(&config::registry(), &EnvSecrets, None)
                .map_err(|m| config_error(format!("{}: {m}", cli.config.display())))?;
            let mut failed = 0;
            match canvass_sync::check_warehouse(&config.warehouse.url).await {
                Ok(how) => println!("ok      warehouse {how}"),
                Err(e) => {
                    failed += 1;
                    println!("FAILED  warehouse: {e}");
                }
            }
            for source in &sources {
                match source.connector.check().await {
                    Ok(()) => println!(
                        "ok      {} ({})",
                        source.name,
                        source.connector.info().system
                    ),
                    Err(e) => {
                        failed += 1;
                        println!(
                            "FAILED  {} ({}): {e}",
                            source.name,
                            source.connector.info().system
                        );
                    }
                }
            }
            if failed == 0 {
                Ok(())
            } else {
                Err(Failure {
                    code: EXIT_PARTIAL,
                    message: format!(
                        "{failed} of {} checks (the warehouse and each source) failed",
                        sources.len() + 1
                    ),
                })
            }
        }
        Command::Sync { only, dry_run } => {
            let report = run_sync(&cli, only.as_deref(), None, *dry_run).await?;
            finish(&cli, &report)
        }
        Command::Pull { source, entity } => {
            let kind = match entity {
                Some(e) => match EntityKind::parse(e) {
                    EntityKind::Other(o) => {
                        let known: Vec<&str> =
                            EntityKind::ALL.iter().map(EntityKind::as_str).collect();
                        return Err(config_error(format!(
                            "unknown entity `{o}`; one of: {}",
                            known.join(", ")
                        )));
                    }
                    k => Some(k),
                },
                None => None,
            };
            let report = run_sync(&cli, Some(source), kind, false).await?;
            finish(&cli, &report)
        }
        Command::Push { dry_run, .. } => {
            let config = load(&cli)?;
            let table = config.van_sync.clone().ok_or_else(|| {
                config_error(format!(
                    "{}: no [van_sync] table; `canvass init` writes a commented one",
                    cli.config.display()
                ))
            })?;
            let json = serde_json::to_value(&table).map_err(other_error)?;
            let sync = canvass_vansync::VanSync::from_config(&json, &EnvSecrets)
                .map_err(|e| config_error(format!("{}: van_sync: {e}", cli.config.display())))?;
            let warehouse = open_warehouse_for_cli(&config.warehouse.url).await?;
            let plan = sync.plan(warehouse.as_ref()).await.map_err(other_error)?;
            if *dry_run {
                let summary = plan.summary();
                if cli.json {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&summary).map_err(other_error)?
                    );
                } else {
                    println!("{summary}");
                }
                return Ok(());
            }
            let report = sync
                .execute(warehouse.as_ref(), &plan)
                .await
                .map_err(other_error)?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(other_error)?
                );
            } else {
                println!("{report}");
            }
            if report.is_success() {
                Ok(())
            } else {
                Err(Failure {
                    code: EXIT_PARTIAL,
                    message: "some VAN writes failed; see the report above".into(),
                })
            }
        }
        Command::Export {
            entity,
            format,
            keep_formulas,
            output,
        } => {
            let config = load(&cli)?;
            let cells = if *keep_formulas {
                export::Cells::AsStored
            } else {
                export::Cells::SpreadsheetSafe
            };
            export::run(
                &config.warehouse.url,
                entity,
                *format,
                cells,
                output.as_deref(),
            )
            .await
        }
        Command::Report { html, runs } => {
            let config = load(&cli)?;
            let warehouse = open_warehouse_for_cli(&config.warehouse.url).await?;
            let message = canvass_cli::report_html::run(warehouse.as_ref(), html, *runs)
                .await
                .map_err(other_error)?;
            println!("{message}");
            Ok(())
        }
        Command::Demo { db, people } => demo::run(db.clone(), *people, cli.json).await,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("canvass: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("canvass: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
