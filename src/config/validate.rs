//! Range checks with messages that name the field and what it accepts.

use super::Config;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigError {
    #[error("config does not parse: {0}")]
    Parse(String),
    #[error("cannot read config {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("unknown key `{key}`; known keys: {known}")]
    UnknownKey { key: String, known: String },
    #[error("`{key}` = `{value}` is not {expected}")]
    BadValue {
        key: String,
        value: String,
        expected: String,
    },
    #[error("`{key}` = {value} is out of range: allowed {allowed}")]
    OutOfRange {
        key: String,
        value: String,
        allowed: String,
    },
    #[error("`{key}` cannot change while a run is live (live keys: {live})")]
    NotLive { key: String, live: String },
}

/// Refuses `v` unless `inside`; NaN fails every comparison, so a NaN
/// value is refused by either range below.
fn within(
    key: &str,
    v: impl std::fmt::Display,
    inside: bool,
    allowed: &str,
) -> Result<(), ConfigError> {
    if inside {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            key: key.into(),
            value: v.to_string(),
            allowed: allowed.into(),
        })
    }
}

fn range<T: PartialOrd + std::fmt::Display>(
    key: &str,
    v: T,
    lo: T,
    hi: T,
    allowed: &str,
) -> Result<(), ConfigError> {
    let inside = v >= lo && v <= hi;
    within(key, v, inside, allowed)
}

fn open_range(key: &str, v: f64, lo: f64, hi: f64, allowed: &str) -> Result<(), ConfigError> {
    within(key, v, v > lo && v < hi, allowed)
}

fn one_of(key: &str, v: &str, options: &[&str]) -> Result<(), ConfigError> {
    if options.contains(&v) {
        Ok(())
    } else {
        Err(ConfigError::BadValue {
            key: key.into(),
            value: v.into(),
            expected: format!("one of {}", options.join(", ")),
        })
    }
}

impl Config {
    pub fn validate(&self) -> Result<(), ConfigError> {
        range("steps", self.steps, 1, 1 << 40, "1 to 2^40")?;
        range("data.n", self.data.n, 2, 100_000, "2 to 100000")?;
        open_range(
            "data.radius",
            self.data.radius,
            1.0,
            100.0,
            "greater than 1 and below 100",
        )?;
        range(
            "data.train_size",
            self.data.train_size,
            0,
            1 << 32,
            "0 (online) to 2^32",
        )?;
        one_of("model.kind", &self.model.kind, &["relu", "quad"])?;
        range("model.width", self.model.width, 1, 65_536, "1 to 65536")?;
        range("model.depth", self.model.depth, 1, 64, "1 to 64")?;
        range("model.hidden", self.model.hidden, 1, 65_536, "1 to 65536")?;
        one_of("model.init", &self.model.init, &["default", "perfect"])?;
        if self.model.init == "perfect" && self.model.kind != "quad" {
            return Err(ConfigError::BadValue {
                key: "model.init".into(),
                value: "perfect".into(),
                expected: "available for model.kind = \"quad\" only".into(),
            });
        }
        if self.model.init == "perfect" && self.model.hidden < self.data.n {
            return Err(ConfigError::OutOfRange {
                key: "model.hidden".into(),
                value: self.model.hidden.to_string(),
                allowed: format!(
                    "at least data.n = {} for a perfect initialisation",
                    self.data.n
                ),
            });
        }
        let scale = self.model.init_scale;
        within(
            "model.init_scale",
            scale,
            scale > 0.0 && scale <= 1000.0,
            "greater than 0, at most 1000",
        )?;
        if scale != 1.0 && self.model.kind != "quad" {
            return Err(ConfigError::OutOfRange {
                key: "model.init_scale".into(),
                value: scale.to_string(),
                allowed:
                    "1 unless model.kind = \"quad\" (it scales a quadratic net's initial w and b)"
                        .into(),
            });
        }
        one_of("train.optimizer", &self.train.optimizer, &["adam", "sgd"])?;
        open_range(
            "train.lr",
            self.train.lr,
            0.0,
            10.0 + f64::EPSILON,
            "greater than 0, at most 10",
        )?;
        range("train.batch", self.train.batch, 1, 65_536, "1 to 65536")?;
        range(
            "train.beta1",
            self.train.beta1,
            0.0,
            0.999_999,
            "0 to below 1",
        )?;
        range(
            "train.beta2",
            self.train.beta2,
            0.0,
            0.999_999_9,
            "0 to below 1",
        )?;
        open_range("train.eps", self.train.eps, 0.0, 1.0, "between 0 and 1")?;
        range(
            "train.momentum",
            self.train.momentum,
            0.0,
            0.999_999,
            "0 to below 1",
        )?;
        range("train.threads", self.train.threads, 1, 256, "1 to 256")?;
        range(
            "train.publish_every",
            self.train.publish_every,
            1,
            1 << 40,
            "1 to 2^40",
        )?;
        range("eval.samples", self.eval.samples, 0, 1 << 40, "0 to 2^40")?;
        range(
            "eval.test_samples",
            self.eval.test_samples,
            0,
            1 << 40,
            "0 to 2^40",
        )?;
        range("eval.threads", self.eval.threads, 1, 256, "1 to 256")?;
        open_range(
            "attack.step",
            self.attack.step,
            0.0,
            1.0 + f64::EPSILON,
            "greater than 0, at most 1",
        )?;
        range(
            "attack.steps",
            self.attack.steps,
            1,
            1_000_000,
            "1 to 1000000",
        )?;
        range(
            "attack.starts",
            self.attack.starts,
            0,
            1_000_000,
            "0 to 1000000",
        )?;
        range(
            "run.autosave_min",
            self.run.autosave_min,
            0.0,
            1e6,
            "0 (off) to 1e6",
        )?;
        range("run.keep", self.run.keep, 1, 10_000, "1 to 10000")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad() -> Config {
        crate::config::preset("quad-perfect-init").unwrap().config
    }

    #[test]
    fn configs_written_before_init_scale_load_at_scale_one() {
        let old = include_str!("../../tests/fixtures/log-v0/config.toml");
        assert!(!old.contains("init_scale"));
        assert_eq!(Config::from_toml(old).unwrap().model.init_scale, 1.0);
        // And the field round-trips once written.
        let c = quad();
        assert_eq!(Config::from_toml(&c.to_toml()).unwrap(), c);
    }

    #[test]
    fn init_scale_is_range_checked_and_quadratic_only() {
        let mut c = quad();
        assert_eq!(c.model.init_scale, 20.0);
        for bad in ["0", "-1", "1001", "inf"] {
            let e = c.set("model.init_scale", bad).unwrap_err().to_string();
            assert!(e.contains("model.init_scale"), "{bad}: {e}");
        }
        let e = c.set("model.init_scale", "0").unwrap_err().to_string();
        assert!(e.contains("greater than 0, at most 1000"), "{e}");
        c.set("model.init_scale", "1000").unwrap();
        let mut relu = crate::config::preset("quick").unwrap().config;
        let e = relu.set("model.init_scale", "2").unwrap_err().to_string();
        assert!(e.contains("unless model.kind = \"quad\""), "{e}");
        relu.set("model.init_scale", "1").unwrap();
    }
}
