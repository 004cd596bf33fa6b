//! Terraform front-end: azurerm configurations into the model.

pub mod eval;
pub mod value;

use std::path::PathBuf;

use super::{FrontendOptions, UnitOutput};
use crate::source::SourceMap;

/// A directory of `*.tf` files found by discovery, with its printed path.
#[derive(Debug, Clone)]
pub struct TfDir {
    /// The directory.
    pub path: PathBuf,
    /// How it is printed (as given on the command line, `/` separators).
    pub display: String,
}

/// Loads the Terraform directories of a scan. Directories only reached as local modules of
/// another scanned directory are linted through their callers. Units are numbered from
/// `first_unit`.
pub fn load_dirs(
    dirs: &[TfDir],
    first_unit: u32,
    sources: &SourceMap,
    opts: &FrontendOptions,
) -> Vec<UnitOutput> {
    let _ = (dirs, first_unit, sources, opts);
    Vec::new()
}
