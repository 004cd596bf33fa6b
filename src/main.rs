//! The `agwlint` binary: parse the command line, run, exit.

fn main() {
    std::process::exit(agwlint::cli::run());
}
