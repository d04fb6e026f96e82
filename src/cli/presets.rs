//! `spheres presets`: names and one-line descriptions.

use crate::config::{PRESETS, preset};

pub fn list() -> anyhow::Result<()> {
    let width = PRESETS.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, _) in PRESETS {
        let p = preset(name)?;
        let default = if *name == "quick" { " (default)" } else { "" };
        println!("{name:width$}  {}{default}", p.config.description);
    }
    Ok(())
}
