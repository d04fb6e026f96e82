//! Floats that may be NaN in records: serde_json writes a NaN as `null`
//! (JSON has no NaN), so a reader must take `null` back as NaN or the
//! record would not load at all.

use serde::{Deserialize, Deserializer};

pub fn f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

pub fn f32<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
    Ok(Option::<f32>::deserialize(d)?.unwrap_or(f32::NAN))
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct R {
        #[serde(deserialize_with = "super::f64")]
        x: f64,
    }

    #[test]
    fn nan_survives_a_round_trip_as_null() {
        let text = serde_json::to_string(&R { x: f64::NAN }).unwrap();
        assert_eq!(text, r#"{"x":null}"#);
        assert!(serde_json::from_str::<R>(&text).unwrap().x.is_nan());
        assert_eq!(serde_json::from_str::<R>(r#"{"x":2.5}"#).unwrap().x, 2.5);
    }
}
