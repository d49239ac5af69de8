use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum EvalCommand {}

pub fn run(command: EvalCommand) -> Result<ExitCode> {
    match command {}
}
