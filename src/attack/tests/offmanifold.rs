use ndarray::{Array2, s};

use super::fixtures::{FAR, boundary_distance};
use crate::attack::{Cancel, MinNormParams, PgdParams, inner_starts, min_norm_l2, pgd_l2};
use crate::nn::Model;

/// 24 inner points (label 0) then 8 outer points (label 1) outside the cone.
fn points(n: usize, t: f32) -> (Array2<f32>, Vec<f32>, Vec<f64>) {
    let inner = inner_starts(4, n, 24);
    let outer: Vec<_> = inner_starts(5, n, 40)
        .rows()
        .into_iter()
        .filter(|r| r[0] < t)
        .take(8)
        .map(|r| r.mapv(|v| v * FAR))
        .collect();
    let mut x = Array2::zeros((32, n));
    x.slice_mut(s![..24, ..]).assign(&inner);
    for (i, r) in outer.iter().enumerate() {
        x.row_mut(24 + i).assign(r);
    }
    let labels = (0..32).map(|i| if i < 24 { 0.0 } else { 1.0 }).collect();
    // Zero for inner points already inside the cap, else the distance to
    // the boundary surface.
    let want = (0..32)
        .map(|i| {
            let rho = x.row(i).dot(&x.row(i)).sqrt() as f64;
            let c1 = x[[i, 0]] as f64 / rho;
            if i < 24 && c1 > t as f64 {
                0.0
            } else {
                boundary_distance(c1, rho, t as f64, FAR as f64)
            }
        })
        .collect();
    (x, labels, want)
}

#[test]
fn min_norm_matches_the_distance_to_the_decision_boundary() {
    let (n, t) = (20, 0.3f32);
    let model = Model::cap(n, t, FAR);
    let (x, y, want) = points(n, t);
    let params = MinNormParams {
        max_eps: 3.0,
        ..MinNormParams::default()
    };
    let r = min_norm_l2(&model, x.view(), &y, &params, 2, &Cancel::never()).unwrap();
    assert_eq!(r.found, 32);
    for (i, (got, want)) in r.distances.iter().zip(&want).enumerate() {
        assert!(
            (got - want).abs() <= 0.02 * want + 1e-3,
            "point {i}: {got} vs {want}"
        );
    }
    let mut sorted = want.clone();
    sorted.sort_by(f64::total_cmp);
    let median = 0.5 * (sorted[15] + sorted[16]);
    assert!((r.median - median).abs() < 0.02 * median);
}

#[test]
fn pgd_robust_accuracy_follows_the_boundary_distance() {
    let (n, t) = (20, 0.3f32);
    let model = Model::cap(n, t, FAR);
    let (x, y, want) = points(n, t);
    let eps = 0.3;
    let r = pgd_l2(
        &model,
        x.view(),
        &y,
        eps,
        &PgdParams::default(),
        2,
        &Cancel::never(),
    )
    .unwrap();
    assert_eq!(r.clean_correct, want.iter().filter(|&&d| d > 0.0).count());
    let mut checked = 0;
    for (i, (&robust, &d)) in r.per_point.iter().zip(&want).enumerate() {
        if (d - eps as f64).abs() > 0.02 {
            assert_eq!(robust, d > eps as f64, "point {i} at distance {d}");
            checked += 1;
        }
    }
    assert!(checked > 20 && r.robust > 8 && r.robust < 32);
    assert_eq!(r.robust_accuracy, r.robust as f64 / 32.0);
}

#[test]
fn unreachable_points_report_infinity_and_bad_input_is_refused() {
    let model = Model::cap(20, 0.3, FAR);
    let (x, y, _) = points(20, 0.3);
    let tight = MinNormParams {
        max_eps: 1e-3,
        ..MinNormParams::default()
    };
    let r = min_norm_l2(&model, x.view(), &y, &tight, 1, &Cancel::never()).unwrap();
    assert!(r.median.is_infinite() && r.found < 32);
    assert!(r.distances.iter().all(|d| *d == 0.0 || d.is_infinite()));
    assert!(
        pgd_l2(
            &model,
            x.view(),
            &y,
            -1.0,
            &PgdParams::default(),
            1,
            &Cancel::never()
        )
        .is_err()
    );
    assert!(
        pgd_l2(
            &model,
            x.view(),
            &y[..3],
            0.1,
            &PgdParams::default(),
            1,
            &Cancel::never()
        )
        .is_err()
    );
}
