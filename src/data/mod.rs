//! Points on two concentric spheres.

mod sampler;
mod sphere;
mod stream;

pub use sampler::{fill_direction, fill_points, sample_point};
pub use sphere::Sphere;
pub use stream::{DataStream, TrainingSet};
