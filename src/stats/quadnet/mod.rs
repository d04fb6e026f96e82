//! Exact analysis of a quadratic net y(x) = w sum_j (W x)_j^2 + b, which
//! predicts "outer" when y > 0.
//!
//! With w W^T W = U^T diag(d) U and z = U x, the decision is a quadric in z.
//! The paper's normalisation alpha_i = d_i / (-b) turns it into
//! sum alpha_i z_i^2 > 1 when b < 0. A uniform point of the sphere of
//! radius r is r g / |g| with g ~ N(0, I), and U is orthogonal, so
//!
//! * b < 0 (the paper's ellipsoid): inner error = P(sum (alpha_i - 1) g_i^2 > 0),
//!   outer error = P(sum (R^2 alpha_i - 1) g_i^2 < 0);
//! * b > 0: the inequality flips (y > 0 iff sum alpha_i z_i^2 < 1), so the
//!   same forms are read in the opposite tails. With w > 0 every point is
//!   "outer": inner error 1, outer error 0;
//! * b = 0: the boundary x^T (w W^T W) x = 0 is a cone, the same at every
//!   radius: inner error = P(sum d_i g_i^2 > 0), outer error its complement.
//!   Alphas are undefined and reported empty.
//!
//! w < 0 needs no special case: the alphas change sign and the formulas
//! still hold (with b < 0 everything is "inner": inner error 0, outer 1).
//! The tails come from `chisq` at t = 0, which reports exactly 0 when every
//! alpha lies in [1/R^2, 1]. Beside them the paper's CLT estimate.
//!
//! * `analysis`: error rates, alphas and worst-case losses from the
//!   eigenvalues alone (the small result that is logged).
//! * `geometry`: the eigenvectors too, once per model, and in their basis
//!   the error set of each sphere as {u : sum c_i u_i^2 > 0} on the unit
//!   sphere (one coefficient vector per sphere, every sign regime alike).
//! * `secular`: the nearest point of such a set, exactly.
//! * `distance`: the exact d(E) over given sphere points.
//! * `worst_case`: the largest loss on each sphere in closed form.

mod analysis;
#[cfg(test)]
mod certify_tests;
mod distance;
mod geometry;
#[cfg(test)]
mod known_answer_tests;
mod params;
mod secular;
mod worst_case;

pub use analysis::{QuadAnalysis, Regime, analyse, analyse_alphas, analyse_model, analyse_view};
pub use distance::ExactDistance;
pub use geometry::QuadGeometry;
pub use secular::{ErrorSet, Nearest};
pub use worst_case::{WorstCaseLoss, softplus};
