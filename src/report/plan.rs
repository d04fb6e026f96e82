//! A sweep's plan: which (model, training-set size) points it trains, with
//! each point's complete config. Written once as `sweep.toml`, so a resumed
//! or cluster-spread sweep can check it is continuing the same experiment.

use serde::{Deserialize, Serialize};

use crate::config::{Config, preset};

pub const PLAN_FILE: &str = "sweep.toml";
pub const DONE_FILE: &str = "done";

/// Training-set sizes of the default and the paper-scale sweep (0 = online).
pub const DEFAULT_SIZES: &[u64] = &[1_000, 10_000, 100_000, 0];
pub const FULL_SIZES: &[u64] = &[1_000, 10_000, 100_000, 1_000_000, 0];
pub const MODELS: &[&str] = &["relu", "relu-deep", "quad", PERFECT_INIT];
/// The quadratic net trained from the max-margin ellipsoid; one online point.
pub const PERFECT_INIT: &str = "quad-perfect-init";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// "default", "full" or the preset a single-model sweep is based on.
    pub scale: String,
    /// How this sweep departs from the paper's settings, for the report.
    pub scaling: String,
    pub points: Vec<PointPlan>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointPlan {
    /// Directory name inside the sweep, e.g. "relu-10k".
    pub name: String,
    pub model: String,
    pub train_size: u64,
    /// Checkpoints at which error rate and d(E) are measured.
    pub checkpoints: usize,
    pub config: Config,
}

/// What the command line asks for.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    /// A training preset to sweep over sizes instead of the paper's models.
    pub preset: Option<String>,
    pub full: bool,
    pub sizes: Option<Vec<u64>>,
    pub models: Option<Vec<String>>,
    pub steps: Option<u64>,
    pub checkpoints: usize,
    /// Config edits applied last to every point, in order.
    pub set: Vec<(String, String)>,
    /// Training threads of every point (0: the presets' own).
    pub train_threads: usize,
}

const DEFAULT_SCALING: &str = "n = 100 instead of 500; ReLU 100-256-256-1 (batch norm), deep ReLU 4 x 256, \
quadratic h = 200; Adam lr 1e-3 (quadratic 3e-3) for 10000 steps of batch 50 instead of lr 1e-4 for 1e6 steps; \
2e5 evaluation points and 100 attack starts per checkpoint; the perfect-initialisation run is \
n = 100, h = 200, 10000 steps at lr 1e-4. Bounds scale as 1/sqrt(n): at the same error rate they are \
sqrt(5) = 2.24 times the paper's.";
const FULL_SCALING: &str = "the paper's settings: n = 500, presets relu-paper, relu-deep, quad-paper \
and quad-perfect-init.";

/// Size as written in point names: 1k, 10k, 1M, online.
pub fn size_label(size: u64) -> String {
    match size {
        0 => "online".into(),
        s if s % 1_000_000 == 0 => format!("{}M", s / 1_000_000),
        s if s % 1_000 == 0 => format!("{}k", s / 1_000),
        s => s.to_string(),
    }
}

/// Parses "1000,10k,1M,online".
pub fn parse_sizes(text: &str) -> Result<Vec<u64>, String> {
    text.split(',')
        .map(|s| {
            let s = s.trim();
            let (digits, scale) = match s {
                "online" | "0" => return Ok(0),
                _ if s.ends_with('k') => (&s[..s.len() - 1], 1_000),
                _ if s.ends_with('M') => (&s[..s.len() - 1], 1_000_000),
                _ => (s, 1),
            };
            digits
                .parse::<u64>()
                .ok()
                .and_then(|d| d.checked_mul(scale))
                .ok_or_else(|| format!("--sizes: `{s}` is not a size (e.g. 1000, 10k, 1M, online)"))
        })
        .collect()
}

fn edit(config: &mut Config, key: &str, value: &str, point: &str) -> Result<(), String> {
    config
        .set(key, value)
        .map_err(|e| format!("point {point}: {key} = {value}: {e}"))
}

/// Config edits as (dotted key, value).
type Edits = Vec<(&'static str, &'static str)>;

/// The preset a paper model starts from and the edits that scale it down.
fn model_base(model: &str, full: bool) -> Result<(&'static str, Edits), String> {
    let (name, scaled): (&str, &[(&str, &str)]) = match model {
        "relu" => (
            "relu-paper",
            &[("model.width", "256"), ("model.depth", "2")],
        ),
        "relu-deep" => ("relu-deep", &[("model.width", "256"), ("model.depth", "4")]),
        "quad" => ("quad-paper", &[("model.hidden", "200")]),
        PERFECT_INIT => (PERFECT_INIT, &[("model.hidden", "200")]),
        other => {
            return Err(format!(
                "--models: unknown model `{other}` (known: {})",
                MODELS.join(", ")
            ));
        }
    };
    if full {
        return Ok((name, Vec::new()));
    }
    // Quadratic nets learn slowly at the ReLU rate; the perfect-init run
    // keeps the paper's rate, its drift is the point.
    let lr = match model {
        PERFECT_INIT => "0.0001",
        "quad" => "0.003",
        _ => "0.001",
    };
    let mut edits = vec![
        ("data.n", "100"),
        ("steps", "10000"),
        ("train.lr", lr),
        ("eval.samples", "200000"),
        ("attack.starts", "100"),
    ];
    edits.extend_from_slice(scaled);
    Ok((name, edits))
}

impl Plan {
    pub fn build(req: &PlanRequest) -> Result<Plan, String> {
        if req.preset.is_some() && (req.models.is_some() || req.full) {
            return Err(
                "--preset sweeps one preset; it cannot be combined with --models or --full".into(),
            );
        }
        let sizes = match (&req.sizes, req.full) {
            (Some(s), _) => s.clone(),
            (None, true) => FULL_SIZES.to_vec(),
            (None, false) => DEFAULT_SIZES.to_vec(),
        };
        let checkpoints = req.checkpoints.max(1);
        let mut points = Vec::new();
        let (scale, scaling) = if let Some(p) = &req.preset {
            let base = preset(p).map_err(|e| e.to_string())?;
            for &size in &sizes {
                points.push(point(
                    &base.name,
                    &base.name,
                    size,
                    base.config.clone(),
                    &[],
                    req,
                    checkpoints,
                )?);
            }
            (
                base.name.clone(),
                format!("preset {} as shipped", base.name),
            )
        } else {
            let models = req
                .models
                .clone()
                .unwrap_or_else(|| MODELS.iter().map(|m| m.to_string()).collect());
            for model in &models {
                let (name, edits) = model_base(model, req.full)?;
                let base = preset(name).map_err(|e| e.to_string())?.config;
                let model_sizes: &[u64] = if model == PERFECT_INIT { &[0] } else { &sizes };
                for &size in model_sizes {
                    points.push(point(
                        model,
                        name,
                        size,
                        base.clone(),
                        &edits,
                        req,
                        checkpoints,
                    )?);
                }
            }
            match req.full {
                true => ("full".to_string(), FULL_SCALING.to_string()),
                false => ("default".to_string(), DEFAULT_SCALING.to_string()),
            }
        };
        let mut scaling = scaling;
        if let Some(steps) = req.steps {
            scaling.push_str(&format!(" Steps per point set to {steps}."));
        }
        if req.train_threads > 0 {
            scaling.push_str(&format!(
                " {} training thread(s) per point.",
                req.train_threads
            ));
        }
        for (k, v) in &req.set {
            scaling.push_str(&format!(" {k} = {v}."));
        }
        Ok(Plan {
            scale,
            scaling,
            points,
        })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a plan always serialises")
    }

    /// Parses `sweep.toml`; errors name the file.
    pub fn from_toml(text: &str, path: &std::path::Path) -> Result<Plan, String> {
        let plan: Plan =
            toml::from_str(text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
        for p in &plan.points {
            p.config
                .validate()
                .map_err(|e| format!("{}: point {}: {e}", path.display(), p.name))?;
        }
        Ok(plan)
    }
}

fn point(
    model: &str,
    preset_name: &str,
    size: u64,
    mut config: Config,
    edits: &[(&str, &str)],
    req: &PlanRequest,
    checkpoints: usize,
) -> Result<PointPlan, String> {
    let name = format!("{model}-{}", size_label(size));
    for (k, v) in edits {
        edit(&mut config, k, v, &name)?;
    }
    edit(&mut config, "data.train_size", &size.to_string(), &name)?;
    if let Some(steps) = req.steps {
        edit(&mut config, "steps", &steps.to_string(), &name)?;
    }
    if req.train_threads > 0 {
        edit(
            &mut config,
            "train.threads",
            &req.train_threads.to_string(),
            &name,
        )?;
    }
    for (k, v) in &req.set {
        edit(&mut config, k, v, &name)?;
    }
    config.description = format!("sweep point {name} (from preset {preset_name})");
    let name = if model == PERFECT_INIT {
        model.to_string()
    } else {
        name
    };
    Ok(PointPlan {
        name,
        model: model.to_string(),
        train_size: size,
        checkpoints,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_suffixes_and_refuse_junk() {
        assert_eq!(
            parse_sizes("1000, 10k,1M,online").unwrap(),
            vec![1000, 10_000, 1_000_000, 0]
        );
        let e = parse_sizes("1000,ten").unwrap_err();
        assert!(e.contains("`ten`"), "{e}");
        assert_eq!(size_label(100_000), "100k");
        assert_eq!(size_label(1_500), "1500");
    }

    #[test]
    fn default_plan_scales_every_model_and_round_trips() {
        let plan = Plan::build(&PlanRequest {
            checkpoints: 5,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(plan.points.len(), 3 * DEFAULT_SIZES.len() + 1);
        assert!(plan.points.iter().all(|p| p.config.data.n == 100));
        let deep = plan
            .points
            .iter()
            .find(|p| p.name == "relu-deep-10k")
            .unwrap();
        assert_eq!(
            (deep.config.model.depth, deep.config.data.train_size),
            (4, 10_000)
        );
        let path = std::path::Path::new("sweep.toml");
        assert_eq!(Plan::from_toml(&plan.to_toml(), path).unwrap(), plan);
    }

    #[test]
    fn a_preset_sweep_refuses_a_model_list() {
        let e = Plan::build(&PlanRequest {
            preset: Some("quick".into()),
            models: Some(vec!["quad".into()]),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("--preset") && e.contains("--models"), "{e}");
        let one = Plan::build(&PlanRequest {
            preset: Some("quick".into()),
            sizes: Some(vec![1000, 0]),
            ..Default::default()
        })
        .unwrap();
        let names: Vec<&str> = one.points.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["quick-1k", "quick-online"]);
    }

    #[test]
    fn a_bad_edit_names_the_point_and_key() {
        let e = Plan::build(&PlanRequest {
            models: Some(vec!["quad".into()]),
            sizes: Some(vec![0]),
            set: vec![("train.lr".into(), "-1".into())],
            checkpoints: 1,
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.contains("quad-online") && e.contains("train.lr"), "{e}");
    }
}
