//! Runs the emulator by hand: prints the variables that point the app at it, then serves until
//! Ctrl-C.
//!
//! Options: `--stage-seconds N` (how long each task stage lasts, default 4) and
//! `--pad-bytes N` (pad every video to N bytes, for download benchmarks).

use std::time::Duration;

use hailuo_emulator::{Emulator, EmulatorConfig, Service, TaskTiming};

fn main() -> std::io::Result<()> {
    let config = parse_args(std::env::args().skip(1))
        .map_err(|message| std::io::Error::new(std::io::ErrorKind::InvalidInput, message))?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve(config))
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<EmulatorConfig, String> {
    let mut config = EmulatorConfig::by_hand();
    while let Some(flag) = args.next() {
        let mut number = || -> Result<u64, String> {
            args.next()
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| format!("{flag} needs a whole number"))
        };
        match flag.as_str() {
            "--stage-seconds" => {
                config.timing = TaskTiming::Elapsed {
                    per_stage: Duration::from_secs(number()?),
                }
            }
            "--pad-bytes" => config.pad_videos_to = Some(number()?),
            other => {
                return Err(format!(
                    "unknown option {other}; use --stage-seconds N or --pad-bytes N"
                ))
            }
        }
    }
    Ok(config)
}

async fn serve(config: EmulatorConfig) -> std::io::Result<()> {
    let emulator = Emulator::start(config).await?;
    for (name, value) in emulator.env_vars() {
        println!("export {name}={value}");
    }
    for service in Service::ALL {
        println!("# {} key: {}", service.id(), emulator.key(service));
    }
    println!("# download links are served from {}", emulator.cdn_url());
    println!("# serving until Ctrl-C");
    tokio::signal::ctrl_c().await?;
    drop(emulator);
    Ok(())
}
