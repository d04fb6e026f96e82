//! Models with hand-written forward and backward passes.

mod batch_norm;
mod cap_net;
mod linear;
mod loss;
mod model;
mod optim;
mod params;
pub mod placement;
mod quad_net;
mod relu_net;

pub use loss::{bce_with_logits, sigmoid};
pub use model::{Arch, Model, Workspace};
pub use optim::{Optimizer, Rule, stream_offsets};
pub use params::{Layout, Slot};
pub use quad_net::QuadNet;
pub use relu_net::ReluNet;

#[cfg(test)]
mod gradcheck;
