//! Tails of Q = sum_i lambda_i g_i^2, g ~ N(0, I), for real weights of
//! either sign: P[Q > t] and P[Q < t] with relative accuracy far into the
//! tails.
//!
//! Three methods, all on the cumulant generating function
//! K(s) = -1/2 sum ln(1 - 2 lambda_i s):
//!
//! * Imhof (1961): P[Q > t] = 1/2 + 1/pi int_0^inf sin(theta(u)) / (u rho(u)) du.
//!   Exact, but the 1/2 cancels against the integral, so it only has
//!   absolute accuracy (~1e-12): used for moderate tails.
//! * Contour inversion through the saddlepoint: the Bromwich integral
//!   P[Q > t] = 1/(2 pi i) int e^{K(s) - s t} / s ds taken on a path through
//!   the real saddlepoint s^ (K'(s^) = t) that bends towards where e^{-st}
//!   decays. The integrand is of the size of the answer, so the result is
//!   exact in relative terms at any depth (ln P is returned as well, for
//!   tails below the smallest double). It is this module's far-tail method.
//! * Lugannani-Rice: the classic saddlepoint approximation, cheap and
//!   within a few per cent in the far tail; exposed for comparison and used
//!   only if the contour integral fails to converge.
//!
//! Switch rule (`tails`): with at least 4 non-zero weights and a
//! Lugannani-Rice estimate of the smaller tail above 1e-3, Imhof; otherwise
//! the contour integral. Tests cross-check Imhof and the contour in
//! 1e-1..1e-6, the contour against closed forms to 1e-280, and both against
//! Monte Carlo.

use super::error::{Result, StatsError, invalid};
use super::normal;
use super::quadrature::{Tolerance, integrate_pieces};

/// Which method produced a `Tails` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The answer follows from the support of Q alone (e.g. all weights
    /// positive and t <= 0).
    Exact,
    Imhof,
    Contour,
    LugannaniRice,
}

/// Both tails of Q at t. `ln_upper`/`ln_lower` stay finite where the
/// probabilities underflow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tails {
    /// P[Q > t]
    pub upper: f64,
    /// P[Q < t]
    pub lower: f64,
    pub ln_upper: f64,
    pub ln_lower: f64,
    pub method: Method,
}

impl Tails {
    fn from_upper(upper: f64, method: Method) -> Tails {
        Tails {
            upper,
            lower: 1.0 - upper,
            ln_upper: upper.ln(),
            ln_lower: (-upper).ln_1p(),
            method,
        }
    }

    fn from_ln_side(ln_p: f64, upper_side: bool, method: Method) -> Tails {
        let p = ln_p.exp();
        let ln_other = if ln_p > -std::f64::consts::LN_2 {
            (-ln_p.exp_m1()).ln()
        } else {
            (-p).ln_1p()
        };
        let (ln_upper, ln_lower) = if upper_side {
            (ln_p, ln_other)
        } else {
            (ln_other, ln_p)
        };
        Tails {
            upper: ln_upper.exp(),
            lower: ln_lower.exp(),
            ln_upper,
            ln_lower,
            method,
        }
    }
}

/// Non-zero weights rescaled by their largest magnitude, with t rescaled
/// alike (the tails are scale invariant).
struct Form {
    w: Vec<f64>,
    t: f64,
    /// Saddlepoint domain (s_lo, s_hi); infinite when no weight of that sign.
    s_lo: f64,
    s_hi: f64,
}

impl Form {
    fn k(&self, s: f64) -> f64 {
        -0.5 * self.w.iter().map(|l| (-2.0 * l * s).ln_1p()).sum::<f64>()
    }
    fn k1(&self, s: f64) -> f64 {
        self.w.iter().map(|l| l / (1.0 - 2.0 * l * s)).sum()
    }
    fn k2(&self, s: f64) -> f64 {
        self.w
            .iter()
            .map(|l| {
                let r = l / (1.0 - 2.0 * l * s);
                2.0 * r * r
            })
            .sum()
    }

    /// Root of K'(s) = t. K' increases across the domain; Newton steps are
    /// kept inside a shrinking bracket.
    fn saddlepoint(&self) -> Result<f64> {
        let t = self.t;
        let (mut lo, mut hi) = (self.s_lo, self.s_hi);
        let mut s = 0.0;
        if !lo.is_finite() || !hi.is_finite() {
            // Find a finite bracket by doubling away from 0.
            let up = self.k1(0.0) < t;
            let mut step = 1.0;
            for _ in 0..2100 {
                let probe = if up { step } else { -step };
                if (up && probe >= hi) || (!up && probe <= lo) {
                    break;
                }
                if (self.k1(probe) < t) == up {
                    if up { lo = probe } else { hi = probe }
                } else {
                    if up {
                        hi = probe
                    } else {
                        lo = probe
                    }
                    break;
                }
                step *= 2.0;
            }
            if up && lo < 0.0 {
                lo = 0.0;
            }
            if !up && hi > 0.0 {
                hi = 0.0;
            }
            if !lo.is_finite() || !hi.is_finite() {
                return Err(StatsError::NoConvergence(format!(
                    "saddlepoint for t = {t} out of reach"
                )));
            }
        }
        if !(s > lo && s < hi) {
            s = 0.5 * (lo + hi);
        }
        for _ in 0..500 {
            let f = self.k1(s) - t;
            if f > 0.0 {
                hi = s;
            } else {
                lo = s;
            }
            let mut next = s - f / self.k2(s);
            if !(next > lo && next < hi) {
                next = 0.5 * (lo + hi);
            }
            if (next - s).abs() <= 1e-15 * s.abs().max(1e-300) || hi - lo <= 1e-15 * hi.abs() {
                return Ok(next);
            }
            s = next;
        }
        Ok(s)
    }
}

enum Prepared {
    Done(Tails),
    Form(Form),
}

fn prepare(weights: &[f64], t: f64) -> Result<Prepared> {
    if let Some((i, l)) = weights.iter().enumerate().find(|(_, l)| !l.is_finite()) {
        return invalid(format!("weight {i} is not finite: {l}"));
    }
    if !t.is_finite() {
        return invalid(format!("threshold t must be finite, got {t}"));
    }
    let scale = weights.iter().fold(0.0f64, |m, l| m.max(l.abs()));
    let any_pos = weights.iter().any(|&l| l > 0.0);
    let any_neg = weights.iter().any(|&l| l < 0.0);
    // Q is continuous unless all weights vanish; outside its support the
    // tails are exact.
    if (!any_pos && t >= 0.0) || (!any_neg && t <= 0.0) {
        let upper = if !any_pos && t >= 0.0 { 0.0 } else { 1.0 };
        let mut tails = Tails::from_upper(upper, Method::Exact);
        if !any_pos && !any_neg {
            // Q = 0: P[0 < t] is 1 only for t > 0.
            tails.lower = if t > 0.0 { 1.0 } else { 0.0 };
            tails.ln_lower = tails.lower.ln();
        }
        return Ok(Prepared::Done(tails));
    }
    let w: Vec<f64> = weights
        .iter()
        .filter(|&&l| l != 0.0)
        .map(|l| l / scale)
        .collect();
    let max = w.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let min = w.iter().cloned().fold(f64::INFINITY, f64::min);
    Ok(Prepared::Form(Form {
        s_lo: if min < 0.0 {
            0.5 / min
        } else {
            f64::NEG_INFINITY
        },
        s_hi: if max > 0.0 { 0.5 / max } else { f64::INFINITY },
        w,
        t: t / scale,
    }))
}

/// P[Q > t] and P[Q < t] by the documented switch rule.
pub fn tails(weights: &[f64], t: f64) -> Result<Tails> {
    let form = match prepare(weights, t)? {
        Prepared::Done(tails) => return Ok(tails),
        Prepared::Form(form) => form,
    };
    if form.w.len() >= 4 {
        let lr = lugannani_rice_form(&form);
        let moderate = match &lr {
            Ok(lr) => lr.upper.min(lr.lower) > 1e-3,
            Err(_) => true,
        };
        if moderate && let Ok(p) = imhof_form(&form) {
            return Ok(Tails::from_upper(p, Method::Imhof));
        }
    }
    match contour_form(&form) {
        Ok(tails) => Ok(tails),
        Err(e) => lugannani_rice_form(&form).map_err(|_| e),
    }
}

/// P[Q > t].
pub fn upper_tail(weights: &[f64], t: f64) -> Result<f64> {
    Ok(tails(weights, t)?.upper)
}

/// P[Q < t].
pub fn lower_tail(weights: &[f64], t: f64) -> Result<f64> {
    Ok(tails(weights, t)?.lower)
}

/// P[Q > t] by Imhof's integral alone (absolute accuracy ~1e-12).
pub fn imhof_upper(weights: &[f64], t: f64) -> Result<f64> {
    match prepare(weights, t)? {
        Prepared::Done(tails) => Ok(tails.upper),
        Prepared::Form(form) => imhof_form(&form),
    }
}

/// Both tails by contour inversion through the saddlepoint alone.
pub fn contour_tails(weights: &[f64], t: f64) -> Result<Tails> {
    match prepare(weights, t)? {
        Prepared::Done(tails) => Ok(tails),
        Prepared::Form(form) => contour_form(&form),
    }
}

/// Both tails by the Lugannani-Rice approximation alone.
pub fn lugannani_rice(weights: &[f64], t: f64) -> Result<Tails> {
    match prepare(weights, t)? {
        Prepared::Done(tails) => Ok(tails),
        Prepared::Form(form) => lugannani_rice_form(&form),
    }
}

fn imhof_form(form: &Form) -> Result<f64> {
    let (w, t) = (&form.w, form.t);
    let n = w.len() as f64;
    // Truncate where the envelope's tail, bounded with the k largest
    // weights, is below 1e-14: int_U^inf du / (u rho(u)) <=
    // (2/k) U^{-k/2} prod_{i<=k} |w_i|^{-1/2}.
    let mut mags: Vec<f64> = w.iter().map(|l| l.abs()).collect();
    mags.sort_by(|a, b| b.total_cmp(a));
    let mut ln_u = f64::INFINITY;
    let mut sum_ln = 0.0;
    for (i, m) in mags.iter().enumerate() {
        sum_ln += m.ln();
        let k = (i + 1) as f64;
        let cand = (2.0 / k) * ((2.0 / k).ln() - 0.5 * sum_ln - (1e-14f64).ln());
        ln_u = ln_u.min(cand);
    }
    let upper = ln_u.exp();
    let periods = upper * t.abs() / (4.0 * std::f64::consts::PI);
    if !upper.is_finite() || periods > 1e4 {
        return Err(StatsError::NoConvergence(
            "Imhof integrand decays too slowly".into(),
        ));
    }
    let integrand = |u: f64| {
        if u == 0.0 {
            return 0.5 * (w.iter().sum::<f64>() - t);
        }
        let theta = 0.5 * w.iter().map(|l| (l * u).atan()).sum::<f64>() - 0.5 * t * u;
        let ln_rho = 0.25 * w.iter().map(|l| (l * u * l * u).ln_1p()).sum::<f64>();
        theta.sin() / u * (-ln_rho).exp()
    };
    let pieces = (periods.ceil() as usize).clamp(1, 10_000) + (n as usize).min(64);
    let points: Vec<f64> = (0..=pieces)
        .map(|i| upper * i as f64 / pieces as f64)
        .collect();
    // Rounding floors each piece's error estimate at ~1e-14 of its |f|
    // mass, so ask for what the sum of floors allows.
    let tol = Tolerance {
        abs: 5e-13,
        rel: 0.0,
        max_intervals: 50_000,
    };
    let r = integrate_pieces(integrand, &points, tol)?;
    if !r.converged {
        return Err(StatsError::NoConvergence(format!(
            "Imhof integral: error estimate {:e}",
            r.error
        )));
    }
    Ok((0.5 + r.value / std::f64::consts::PI).clamp(0.0, 1.0))
}

fn lugannani_rice_form(form: &Form) -> Result<Tails> {
    let s = form.saddlepoint()?;
    let r = s * form.t - form.k(s);
    if r.is_nan() || r <= 0.0 || s == 0.0 {
        return Ok(Tails::from_upper(0.5, Method::LugannaniRice));
    }
    let w = s.signum() * (2.0 * r).sqrt();
    let u = s * form.k2(s).sqrt();
    // The tail on the saddlepoint's side: phi(|w|) (mills(|w|) + 1/|u| - 1/|w|).
    let (aw, au) = (w.abs(), u.abs());
    let ln_phi = -0.5 * aw * aw - 0.5 * (2.0 * std::f64::consts::PI).ln();
    let ln_mills = normal::ln_sf(aw) - ln_phi;
    let bracket = ln_mills.exp() + 1.0 / au - 1.0 / aw;
    if bracket.is_nan() || bracket <= 0.0 {
        return Err(StatsError::NoConvergence(
            "Lugannani-Rice gave a negative tail".into(),
        ));
    }
    Ok(Tails::from_ln_side(
        ln_phi + bracket.ln(),
        s > 0.0,
        Method::LugannaniRice,
    ))
}

/// Minimal complex arithmetic for the contour integrand.
#[derive(Clone, Copy)]
struct C(f64, f64);

impl C {
    fn mul(self, o: C) -> C {
        C(self.0 * o.0 - self.1 * o.1, self.0 * o.1 + self.1 * o.0)
    }
    fn div(self, o: C) -> C {
        let d = o.0.hypot(o.1);
        let (a, b) = (o.0 / d, o.1 / d);
        C((self.0 * a + self.1 * b) / d, (self.1 * a - self.0 * b) / d)
    }
    fn exp(self) -> C {
        let m = self.0.exp();
        C(m * self.1.cos(), m * self.1.sin())
    }
    /// Principal ln(1 + self).
    fn ln_1p(self) -> C {
        let re = 0.5 * (self.0 * (2.0 + self.0) + self.1 * self.1).ln_1p();
        C(re, self.1.atan2(1.0 + self.0))
    }
}

fn contour_form(form: &Form) -> Result<Tails> {
    use std::f64::consts::PI;
    let t = form.t;
    let shat = form.saddlepoint()?;
    // Near the mean the saddlepoint sits on the pole at s = 0; any c in the
    // domain is exact, so step off to a fraction of a standard deviation.
    let sd0 = form.k2(0.0).sqrt();
    let mut c = shat;
    if (shat * form.k2(shat).sqrt()).abs() < 0.3 {
        let side = if shat >= 0.0 { 1.0 } else { -1.0 };
        let room = if side > 0.0 { form.s_hi } else { -form.s_lo };
        c = side * (0.3 / sd0).min(0.5 * room);
    }
    let upper_side = c > 0.0;
    let k2 = form.k2(c);
    let sigma = 1.0 / k2.sqrt();
    // Bend the path towards where e^{-st} decays, but pass the nearest
    // singularity (branch point or the pole at 0) at least ~sigma away.
    let kappa = if t == 0.0 {
        0.0
    } else {
        let delta = if t > 0.0 {
            let mut d = form.s_hi - c;
            if c < 0.0 {
                d = d.min(-c);
            }
            d
        } else {
            let mut d = c - form.s_lo;
            if c > 0.0 {
                d = d.min(c);
            }
            d
        };
        t.signum() * (k2 / (2.0 * t.abs())).min(0.25 * delta * k2)
    };
    // ln(1 - 2 l s) - ln(1 - 2 l c) = ln(1 - v_l (s - c)).
    let v: Vec<f64> = form
        .w
        .iter()
        .map(|l| 2.0 * l / (1.0 - 2.0 * l * c))
        .collect();
    // Integrate in u = y / sigma so the breaks and the map of [0, inf) onto
    // [0, 1) see unit scales whatever the magnitude of c.
    let integrand = |u: f64| {
        let y = sigma * u;
        let d = C(kappa * y * y, y);
        let mut expo = C(-d.0 * t, -d.1 * t);
        for &vl in &v {
            let l = C(-vl * d.0, -vl * d.1).ln_1p();
            expo.0 -= 0.5 * l.0;
            expo.1 -= 0.5 * l.1;
        }
        let f = expo.exp().mul(C(2.0 * kappa * y, 1.0)).div(C(c + d.0, d.1));
        sigma * f.1
    };
    let mut points = vec![0.0];
    let mut p = 0.25 * (c.abs() / sigma).min(1.0);
    while p < 256.0 {
        points.push(p);
        p *= 2.0;
    }
    points.push(f64::INFINITY);
    let r = integrate_pieces(integrand, &points, Tolerance::relative(1e-12))?;
    let value = r.value / PI * if upper_side { 1.0 } else { -1.0 };
    // Accept a slightly unconverged integral when its own error estimate
    // is still far inside what callers need.
    if value.is_nan() || value <= 0.0 || !(r.converged || r.error <= 1e-10 * value.abs()) {
        return Err(StatsError::NoConvergence(format!(
            "contour integral at t = {t}: {value:e} +- {:e}",
            r.error
        )));
    }
    let ln_p = (form.k(c) - c * t + value.ln()).min(0.0);
    Ok(Tails::from_ln_side(ln_p, upper_side, Method::Contour))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng_for};
    use rand_distr::{Distribution, StandardNormal};

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    /// ln P[chi^2_{2m} > t] = -t/2 + ln sum_{j<m} (t/2)^j / j!.
    fn ln_chi2_even_upper(m: usize, t: f64) -> f64 {
        let x = t / 2.0;
        let (mut term, mut sum) = (1.0, 1.0);
        for j in 1..m {
            term *= x / j as f64;
            sum += term;
        }
        -x + sum.ln()
    }

    #[test]
    fn equal_weights_match_the_chi_square_tail() {
        for (m, t) in [
            (2usize, 2.0),
            (2, 15.0),
            (2, 150.0),
            (2, 1300.0),
            (5, 40.0),
            (50, 400.0),
        ] {
            let w = vec![1.0; 2 * m];
            let want = ln_chi2_even_upper(m, t);
            let got = tails(&w, t).unwrap();
            assert!(
                (got.ln_upper - want).abs() < 1e-9,
                "m={m} t={t}: {got:?} vs {want}"
            );
            if want > -700.0 {
                assert!(rel(got.upper, want.exp()) < 1e-9, "m={m} t={t}");
            }
        }
        // Scale invariance and a single weight: P[3 g^2 > t] = 2 sf(sqrt(t/3)).
        for t in [0.5, 3.0 * 100.0, 3.0 * 1000.0] {
            let got = tails(&[3.0], t).unwrap();
            let want = 2.0 * normal::sf((t / 3.0).sqrt());
            assert!(
                rel(got.upper, want) < 1e-9,
                "t={t}: {} vs {want}",
                got.upper
            );
        }
    }

    #[test]
    fn lower_tail_near_zero() {
        // P[chi^2_2 < t] = 1 - e^{-t/2}; P[chi^2_4 < t] = 1 - e^{-x}(1 + x), x = t/2.
        for t in [1e-20, 1e-6, 0.1] {
            let got = tails(&[1.0, 1.0], t).unwrap();
            assert!(rel(got.lower, -(-t / 2.0f64).exp_m1()) < 1e-9, "t={t}");
        }
        let x = 5e-11;
        let got = tails(&[2.0; 4], 4.0 * x).unwrap();
        assert!(
            rel(got.lower, x * x / 2.0 * (1.0 - 4.0 * x / 3.0)) < 1e-8,
            "{got:?}"
        );
    }

    #[test]
    fn two_distinct_weights_match_closed_forms() {
        // a E1 + b E2 with E ~ Exp(mean 2) (each weight doubled):
        // P[> t] = (a e^{-t/2a} - b e^{-t/2b}) / (a - b).
        let (a, b) = (1.0f64, 0.25f64);
        for t in [1.0, 30.0, 300.0] {
            let want = (a * (-t / (2.0 * a)).exp() - b * (-t / (2.0 * b)).exp()) / (a - b);
            let got = upper_tail(&[a, a, b, b], t).unwrap();
            assert!(rel(got, want) < 1e-9, "t={t}: {got} vs {want}");
        }
        // Mixed signs, a E1 - b E2: P[> t] = a/(a+b) e^{-t/2a} for t >= 0,
        // P[< t] = b/(a+b) e^{t/2b} for t <= 0.
        let (a, b) = (1.0f64, 3.0f64);
        for t in [0.0, 0.5, 40.0, 1200.0] {
            let want = (a / (a + b)).ln() - t / (2.0 * a);
            let got = tails(&[a, -b, a, -b], t).unwrap();
            assert!((got.ln_upper - want).abs() < 1e-9, "t={t}: {got:?}");
            let want = (b / (a + b)).ln() - t / (2.0 * b);
            let got = tails(&[a, -b, a, -b], -t).unwrap();
            assert!((got.ln_lower - want).abs() < 1e-9, "t=-{t}: {got:?}");
        }
    }

    #[test]
    fn two_groups_of_opposite_sign_match_the_beta_tail() {
        // P[a chi^2_p > b chi^2_q] = P[Beta(p/2, q/2) > b/(a+b)]
        // = I_{a/(a+b)}(q/2, p/2): odd degrees of freedom, t = 0.
        for (a, p, b, q) in [
            (0.3, 3, 0.1, 17),
            (0.02, 3, 0.4, 497),
            (1.0, 1, 1.0, 1),
            (0.05, 10, 0.2, 490),
            (2.0, 7, 0.5, 3),
        ] {
            let mut w = vec![a; p];
            w.extend(vec![-b; q]);
            let want = crate::stats::beta::ln_beta_inc(q as f64 / 2.0, p as f64 / 2.0, a / (a + b))
                .unwrap();
            let got = tails(&w, 0.0).unwrap();
            // |ln P - ln P*| bounds the relative error of P.
            let err = (got.ln_upper - want).abs();
            assert!(err < 1e-9, "{a}x{p} vs {b}x{q}: {got:?}, want ln {want}");
        }
    }

    #[test]
    fn imhof_and_contour_agree_where_both_apply() {
        let w = [2.0, 1.5, 1.0, 0.7, 0.3, -0.2, -0.5, -1.1, 0.05, 0.9];
        for t in [-6.0, -2.0, 0.0, 1.0, 4.0, 10.0, 20.0, 35.0] {
            let a = imhof_upper(&w, t).unwrap();
            let c = contour_tails(&w, t).unwrap();
            assert!((a - c.upper).abs() < 1e-11, "t={t}: {a} vs {}", c.upper);
            if c.upper.min(c.lower) > 1e-3 {
                assert!(rel(a, c.upper) < 1e-10);
            }
        }
    }

    #[test]
    fn lugannani_rice_is_close_in_the_far_tail() {
        let w: Vec<f64> = (0..20).map(|i| 1.0 - 0.08 * i as f64).collect();
        for t in [30.0, 100.0, 400.0] {
            let exact = contour_tails(&w, t).unwrap();
            let lr = lugannani_rice(&w, t).unwrap();
            let err = (lr.ln_upper - exact.ln_upper).abs();
            // Few effective degrees of freedom dominate this far out, and
            // Lugannani-Rice is then off by ~10% (12% at t = 400).
            assert!(err < 0.2, "t={t}: {lr:?} vs {exact:?}");
            assert!(exact.ln_upper < -10.0);
        }
    }

    #[test]
    fn agrees_with_monte_carlo() {
        // The quadratic net's inner error with alphas 1.3 x3, 0.9 x17 at t = 0.
        let mut w = vec![0.3; 3];
        w.extend(vec![-0.1; 17]);
        let samples = 400_000;
        let mut rng = rng_for(11, Stream::Eval, 0);
        let mut hits = 0u64;
        for _ in 0..samples {
            let q: f64 = w
                .iter()
                .map(|l| {
                    let g: f64 = StandardNormal.sample(&mut rng);
                    l * g * g
                })
                .sum();
            hits += (q > 0.0) as u64;
        }
        let p = tails(&w, 0.0).unwrap().upper;
        let (lo, hi) = crate::stats::interval::clopper_pearson(hits, samples, 0.999);
        assert!(lo <= p && p <= hi, "{p} not in [{lo}, {hi}]");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn tails_are_consistent_for_arbitrary_weights(
            w in proptest::collection::vec(-3.0f64..3.0, 1..40),
            t in -30.0f64..30.0,
        ) {
            let a = tails(&w, t).unwrap();
            proptest::prop_assert!((0.0..=1.0).contains(&a.upper) && (0.0..=1.0).contains(&a.lower));
            proptest::prop_assert!((a.upper + a.lower - 1.0).abs() < 1e-12, "{a:?}");
            // Tails are monotone in t.
            let b = tails(&w, t + 0.5).unwrap();
            proptest::prop_assert!(b.ln_upper <= a.ln_upper + 1e-9, "{a:?} then {b:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Weights spanning twelve decades, both signs, t from 50 sd below
        /// to 300 sd above the mean.
        #[test]
        fn tails_stay_monotone_across_scales_and_depths(
            w in proptest::collection::vec((-8.0f64..4.0, proptest::bool::ANY), 1..60),
            k in -50.0f64..300.0,
        ) {
            let w: Vec<f64> = w.iter().map(|(e, s)| if *s { 10f64.powf(*e) } else { -(10f64.powf(*e)) }).collect();
            let mean: f64 = w.iter().sum();
            let sd = (2.0 * w.iter().map(|l| l * l).sum::<f64>()).sqrt();
            let t = mean + k * sd;
            let a = tails(&w, t);
            proptest::prop_assert!(a.is_ok(), "{w:?} {t}: {a:?}");
            let a = a.unwrap();
            proptest::prop_assert!(a.ln_upper.is_finite() || a.upper == 0.0 || a.method == Method::Exact, "{a:?}");
            let b = tails(&w, t + 0.1 * sd).unwrap();
            proptest::prop_assert!(b.ln_upper <= a.ln_upper + 1e-8, "{w:?} {t}: {a:?} then {b:?}");
        }
    }

    #[test]
    fn support_and_input_checks() {
        assert_eq!(upper_tail(&[1.0, 2.0], -1.0).unwrap(), 1.0);
        assert_eq!(upper_tail(&[-1.0, -2.0], 0.0).unwrap(), 0.0);
        assert_eq!(lower_tail(&[-1.0, -2.0], 0.0).unwrap(), 1.0);
        assert_eq!(tails(&[0.0, 0.0], 0.0).unwrap().lower, 0.0);
        assert_eq!(tails(&[0.0], 1.0).unwrap().lower, 1.0);
        assert!(
            tails(&[1.0, f64::NAN], 0.0)
                .unwrap_err()
                .to_string()
                .contains("weight 1")
        );
        assert!(tails(&[1.0], f64::INFINITY).is_err());
        // Zero weights change nothing.
        let a = upper_tail(&[1.0, 0.0, -0.5, 0.0, 2.0, 1.0], 3.0).unwrap();
        let b = upper_tail(&[1.0, -0.5, 2.0, 1.0], 3.0).unwrap();
        assert!(rel(a, b) < 1e-14);
    }
}
