//! Changing one field by its dotted key (`train.lr`), for `--set` and live
//! edits. The key's current TOML type decides how the text is parsed, so
//! every field is settable without a hand-written table.

use toml::{Table, Value};

use super::{Config, ConfigError};

/// Keys the dashboard may change while a run is live, with help text.
pub const LIVE_KEYS: &[(&str, &str)] = &[
    ("train.lr", "learning rate"),
    ("train.batch", "training batch size"),
    ("train.optimizer", "adam or sgd"),
    ("train.beta1", "Adam first-moment decay"),
    ("train.beta2", "Adam second-moment decay"),
    ("train.momentum", "SGD momentum"),
    (
        "train.publish_every",
        "steps between model copies for evaluation",
    ),
    ("train.threads", "threads for training (core split)"),
    (
        "eval.threads",
        "threads for estimates and attacks (core split)",
    ),
    ("eval.samples", "Monte Carlo points per estimate round"),
    (
        "attack.step",
        "manifold attack step, fraction of the radius",
    ),
    ("attack.steps", "manifold attack step budget"),
    ("attack.starts", "starting points per d(E) estimate"),
    ("run.autosave_min", "minutes between autosaves (0 = off)"),
    ("steps", "total training steps of the run"),
];

pub fn is_live(key: &str) -> bool {
    LIVE_KEYS.iter().any(|(k, _)| *k == key)
}

impl Config {
    /// Sets `key` to the text `value`, validating the whole config; on any
    /// error `self` is left unchanged.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let mut table = Table::try_from(&*self).expect("a config always serialises");
        let slot = lookup(&mut table, key).ok_or_else(|| ConfigError::UnknownKey {
            key: key.into(),
            known: Config::keys().join(", "),
        })?;
        *slot = parse_like(slot, key, value.trim())?;
        let next: Config = Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Parse(e.message().into()))?;
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// A live edit: only keys in `LIVE_KEYS`.
    pub fn set_live(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        if !is_live(key) {
            return Err(ConfigError::NotLive {
                key: key.into(),
                live: LIVE_KEYS
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        self.set(key, value)
    }

    /// The current value of `key` as text.
    pub fn get(&self, key: &str) -> Option<String> {
        let mut table = Table::try_from(self).ok()?;
        lookup(&mut table, key).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// Every settable dotted key.
    pub fn keys() -> Vec<String> {
        let table = Table::try_from(super::preset("quick").expect("quick exists").config)
            .expect("serialises");
        let mut keys = Vec::new();
        for (k, v) in &table {
            match v {
                Value::Table(t) => keys.extend(t.keys().map(|s| format!("{k}.{s}"))),
                _ => keys.push(k.clone()),
            }
        }
        keys
    }
}

fn lookup<'a>(table: &'a mut Table, key: &str) -> Option<&'a mut Value> {
    let (head, rest) = match key.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (key, None),
    };
    match (table.get_mut(head)?, rest) {
        (Value::Table(t), Some(r)) => lookup(t, r),
        (Value::Table(_), None) => None,
        (v, None) => Some(v),
        (_, Some(_)) => None,
    }
}

fn parse_like(current: &Value, key: &str, text: &str) -> Result<Value, ConfigError> {
    let bad = |expected: &str| ConfigError::BadValue {
        key: key.into(),
        value: text.into(),
        expected: expected.into(),
    };
    Ok(match current {
        Value::Integer(_) => {
            Value::Integer(parse_integer(text).ok_or_else(|| bad("a whole number"))?)
        }
        Value::Float(_) => {
            let v: f64 = text.parse().map_err(|_| bad("a number"))?;
            if !v.is_finite() {
                return Err(bad("a finite number"));
            }
            Value::Float(v)
        }
        Value::Boolean(_) => Value::Boolean(text.parse().map_err(|_| bad("true or false"))?),
        _ => Value::String(text.trim_matches('"').to_string()),
    })
}

/// Whole numbers, also written as `1e6` or `100_000`.
fn parse_integer(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    if let Ok(v) = t.parse::<i64>() {
        return Some(v);
    }
    let f: f64 = t.parse().ok()?;
    (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> Config {
        crate::config::preset("quick").unwrap().config
    }

    #[test]
    fn sets_nested_fields_of_every_type() {
        let mut c = quick();
        c.set("train.lr", "0.003").unwrap();
        c.set("train.batch", "1e3").unwrap();
        c.set("model.batch_norm", "false").unwrap();
        c.set("train.optimizer", "sgd").unwrap();
        c.set("steps", "100_000").unwrap();
        assert_eq!(
            (c.train.lr, c.train.batch, c.model.batch_norm),
            (0.003, 1000, false)
        );
        assert_eq!((c.train.optimizer.as_str(), c.steps), ("sgd", 100_000));
        assert_eq!(c.get("train.lr").as_deref(), Some("0.003"));
    }

    #[test]
    fn refuses_unknown_keys_and_bad_values_without_changing_anything() {
        let mut c = quick();
        let before = c.clone();
        let e = c.set("train.learning_rate", "1").unwrap_err();
        assert!(
            e.to_string().contains("unknown key `train.learning_rate`")
                && e.to_string().contains("train.lr")
        );
        let e = c.set("train.lr", "-1").unwrap_err();
        assert!(
            e.to_string().contains("`train.lr` = -1 is out of range"),
            "{e}"
        );
        let e = c.set("train.lr", "fast").unwrap_err();
        assert!(e.to_string().contains("not a number"), "{e}");
        let e = c.set("train.lr", "NaN").unwrap_err();
        assert!(e.to_string().contains("finite"), "{e}");
        let e = c.set("train.batch", "2.5").unwrap_err();
        assert!(e.to_string().contains("whole number"), "{e}");
        let e = c.set("model.kind", "cnn").unwrap_err();
        assert!(e.to_string().contains("one of relu, quad"), "{e}");
        let e = c.set("train", "1").unwrap_err();
        assert!(matches!(e, ConfigError::UnknownKey { .. }));
        assert_eq!(c, before);
    }

    #[test]
    fn live_edits_are_limited_to_live_keys() {
        let mut c = quick();
        assert!(matches!(
            c.set_live("data.n", "10"),
            Err(ConfigError::NotLive { .. })
        ));
        c.set_live("train.lr", "0.01").unwrap();
        assert_eq!(c.train.lr, 0.01);
    }

    #[test]
    fn every_live_key_exists() {
        let c = quick();
        for (k, _) in LIVE_KEYS {
            assert!(c.get(k).is_some(), "{k}");
        }
    }
}
