//! The presets shipped in presets/*.toml, compiled into the binary so
//! `spheres run --preset NAME` works from any directory.

use super::{Config, ConfigError};

pub const PRESETS: &[(&str, &str)] = &[
    ("quick", include_str!("../../presets/quick.toml")),
    ("relu-paper", include_str!("../../presets/relu-paper.toml")),
    ("relu-deep", include_str!("../../presets/relu-deep.toml")),
    ("quad-paper", include_str!("../../presets/quad-paper.toml")),
    ("quad-100k", include_str!("../../presets/quad-100k.toml")),
    (
        "quad-perfect-init",
        include_str!("../../presets/quad-perfect-init.toml"),
    ),
];

#[derive(Debug, Clone)]
pub struct Preset {
    pub name: String,
    pub config: Config,
}

/// A shipped preset by name, or a TOML file by path (anything with a `/`
/// or ending in `.toml`).
pub fn preset(name: &str) -> Result<Preset, ConfigError> {
    if name.contains('/') || name.ends_with(".toml") {
        let text = std::fs::read_to_string(name).map_err(|e| ConfigError::Read {
            path: name.to_string(),
            reason: e.to_string(),
        })?;
        let config =
            Config::from_toml(&text).map_err(|e| ConfigError::Parse(format!("{name}: {e}")))?;
        let stem = std::path::Path::new(name)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("custom");
        return Ok(Preset {
            name: stem.to_string(),
            config,
        });
    }
    let (_, text) =
        PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| ConfigError::UnknownKey {
                key: format!("preset {name}"),
                known: PRESETS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
    let config =
        Config::from_toml(text).map_err(|e| ConfigError::Parse(format!("preset {name}: {e}")))?;
    Ok(Preset {
        name: name.to_string(),
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_preset_parses_and_validates() {
        for (name, _) in PRESETS {
            let p = preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(
                !p.config.description.is_empty(),
                "{name} has no description"
            );
            assert!(
                !p.config.description.contains('\n'),
                "{name}: description must be one line"
            );
        }
    }

    #[test]
    fn unknown_preset_names_the_known_ones() {
        let e = preset("relu-papr").unwrap_err().to_string();
        assert!(e.contains("relu-paper") && e.contains("quick"), "{e}");
    }

    #[test]
    fn a_misspelt_field_in_a_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mine.toml");
        let text = PRESETS[0].1.replace("batch = ", "bacth = ");
        std::fs::write(&path, text).unwrap();
        let e = preset(path.to_str().unwrap()).unwrap_err().to_string();
        assert!(e.contains("bacth") && e.contains("mine.toml"), "{e}");
    }
}
