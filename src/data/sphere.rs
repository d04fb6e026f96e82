//! Which of the two spheres a point, an error rate or a distance belongs to.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sphere {
    /// Radius 1, label 0.
    Inner,
    /// Radius R, label 1.
    Outer,
}

impl Sphere {
    pub const BOTH: [Sphere; 2] = [Sphere::Inner, Sphere::Outer];

    /// The training label of its points.
    pub fn label(self) -> f32 {
        match self {
            Sphere::Inner => 0.0,
            Sphere::Outer => 1.0,
        }
    }

    /// Its radius when the outer sphere has radius `outer`.
    pub fn radius(self, outer: f64) -> f64 {
        match self {
            Sphere::Inner => 1.0,
            Sphere::Outer => outer,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sphere::Inner => "inner",
            Sphere::Outer => "outer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_radii_follow_the_data() {
        assert_eq!(Sphere::Inner.label(), 0.0);
        assert_eq!(Sphere::Outer.label(), 1.0);
        assert_eq!(Sphere::Outer.radius(1.3), 1.3);
        assert_eq!(Sphere::Inner.radius(1.3), 1.0);
        assert_eq!(serde_json::to_string(&Sphere::Outer).unwrap(), "\"outer\"");
    }
}
