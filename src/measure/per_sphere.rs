//! One value for each of the two spheres, keyed as in every record:
//! `{"inner": ..., "outer": ...}`.

use serde::{Deserialize, Serialize};

use crate::data::Sphere;

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct PerSphere<T> {
    pub inner: T,
    pub outer: T,
}

impl<T> PerSphere<T> {
    pub fn get(&self, s: Sphere) -> &T {
        match s {
            Sphere::Inner => &self.inner,
            Sphere::Outer => &self.outer,
        }
    }

    pub fn get_mut(&mut self, s: Sphere) -> &mut T {
        match s {
            Sphere::Inner => &mut self.inner,
            Sphere::Outer => &mut self.outer,
        }
    }

    /// Builds both from a function of the sphere.
    pub fn from_fn(mut f: impl FnMut(Sphere) -> T) -> Self {
        Self {
            inner: f(Sphere::Inner),
            outer: f(Sphere::Outer),
        }
    }
}
