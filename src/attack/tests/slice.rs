use super::fixtures::FAR;
use crate::attack::{SliceKind, SliceParams, decision_slice};
use crate::data::fill_direction;
use crate::nn::Model;
use crate::rng::{Stream, rng_for};

#[test]
fn isotropic_model_shows_a_disc_in_every_random_plane() {
    // Every alpha = 1/m^2: the boundary is the max-margin sphere, radius m.
    let m = 1.15f64;
    let mut rng = rng_for(0, Stream::Init, 0);
    let model = Model::quad_with_alphas(&[1.0 / (m * m); 12], 12, &mut rng);
    let p = SliceParams::default();
    let s = decision_slice(&model, 3, 0, SliceKind::RandomRandom, &p, 2).unwrap();
    assert_eq!(
        (s.kind.as_str(), s.radius),
        ("random/random", 1.3f32 as f64)
    );
    assert_eq!((s.xs.len(), s.ys.len(), s.inner.len()), (41, 41, 41));
    assert!((s.xs[40] - 1.43).abs() < 1e-6 && (s.xs[0] + s.xs[40]).abs() < 1e-12);
    for (r, row) in s.inner.iter().enumerate() {
        for (c, &inner) in row.iter().enumerate() {
            let rr = (s.xs[c].powi(2) + s.ys[r].powi(2)).sqrt();
            if (rr - m).abs() > 1e-3 {
                assert_eq!(inner, rr < m, "cell ({r}, {c})");
            }
        }
    }
    // No tangent gradient on a sphere-shaped boundary: refused, not a panic.
    assert!(decision_slice(&model, 3, 0, SliceKind::RandomAdversarial, &p, 1).is_err());
}

#[test]
fn adversarial_axis_of_a_cap_points_at_the_cap() {
    let (n, t) = (30, 0.3f32);
    let model = Model::cap(n, t, FAR);
    let mut x = vec![0.0f32; n];
    fill_direction(&mut rng_for(5, Stream::Slice, 2), &mut x);
    // u = x and v = the unit tangent toward e_1, so a point a u + b v has
    // first coordinate a x_1 + b sqrt(1 - x_1^2) and norm sqrt(a^2 + b^2).
    let x1 = x[0] as f64;
    let p = SliceParams {
        radius: FAR,
        ..SliceParams::default()
    };
    let s = decision_slice(&model, 5, 2, SliceKind::RandomAdversarial, &p, 2).unwrap();
    let k = 2.0 / (FAR as f64 - 1.0);
    let mut outer_cells = 0;
    for (r, row) in s.inner.iter().enumerate() {
        for (c, &inner) in row.iter().enumerate() {
            let (a, b) = (s.xs[c], s.ys[r]);
            let norm = a.hypot(b);
            let y1 = a * x1 + b * (1.0 - x1 * x1).sqrt();
            let logit = y1 / norm - t as f64 + k * (norm - 1.0);
            if logit.abs() > 1e-3 && norm > 1e-6 {
                assert_eq!(inner, logit <= 0.0, "cell ({r}, {c})");
                outer_cells += usize::from(!inner);
            }
        }
    }
    assert!(outer_cells > 0);
    let both = decision_slice(&model, 5, 2, SliceKind::AdversarialAdversarial, &p, 1);
    assert_eq!(both.unwrap().kind, SliceKind::AdversarialAdversarial);
}
