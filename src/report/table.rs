//! The table of sweep points as markdown, one row per checkpoint, numbers
//! printed exactly as the report's readers (and tests) compare them.

use super::checkpoint::Checkpoint;
use super::plan::size_label;
use crate::data::Sphere;
use crate::measure::{DistanceReading, RateChoice, RateSource};
use crate::stats::report::sci_from_ln;

pub const HEADER: &str = "| model | train size | step | inner errors / samples | inner mu [95% CI] | inner d(E) ± 2 se | found / starts | exact d(E) ± 2 se | cap bound | optimal bound | d(E) / cap | outer mu | outer d(E) ± 2 se | outer found | R × cap bound | outer d(E) / cap | bad alphas |";

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

/// The rate as placed: exact, sampled with its interval, or an upper bound.
pub fn mu_cell(mu: Option<RateChoice>) -> String {
    let Some(m) = mu else {
        return "–".into();
    };
    let value = if m.rate.is_zero() {
        "0".into()
    } else if m.rate.underflows() {
        sci_from_ln(m.rate.ln_mu)
    } else {
        format!("{:.2e}", m.rate.mu)
    };
    match m.source {
        RateSource::Exact => format!("{value} (exact)"),
        RateSource::UpperBound => format!("< {value}"),
        RateSource::Rare => format!("{value} [{:.2e}, {:.2e}] (rare-event)", m.lo, m.hi),
        RateSource::Sampled => format!("{value} [{:.2e}, {:.2e}]", m.lo, m.hi),
    }
}

/// d(E) as "mean ± 2 se", or why there is none.
pub fn distance_cell(d: Option<&DistanceReading>) -> String {
    match d {
        None => "–".into(),
        Some(d) => match d.mean() {
            Some(m) => format!("{m:.4} ± {:.4}", 2.0 * d.se()),
            None => "none found".into(),
        },
    }
}

/// The exact d(E) over the same starts, where the error set is known.
fn exact_cell(d: Option<&DistanceReading>) -> String {
    match d.and_then(|d| Some((d.exact_mean?, d.exact_se))) {
        Some((m, Some(se))) => format!("{m:.4} ± {:.4}", 2.0 * se),
        Some((m, None)) => format!("{m:.4}"),
        None => "–".into(),
    }
}

fn found_cell(d: Option<&DistanceReading>) -> String {
    d.map_or("–".into(), |d| {
        format!("{} / {}", d.nearest.found, d.nearest.starts)
    })
}

pub fn row(c: &Checkpoint) -> String {
    let m = &c.measurement;
    let (inner, outer) = (c.distance(Sphere::Inner), c.distance(Sphere::Outer));
    format!(
        "| {} | {} | {} | {} / {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        c.model,
        size_label(c.train_size),
        c.step,
        m.rates.inner.sampled.errors,
        m.rates.inner.sampled.samples,
        mu_cell(c.mu(Sphere::Inner)),
        distance_cell(inner),
        found_cell(inner),
        exact_cell(inner),
        opt(m.rates.bound.inner.map(|b| b.cap), |b| format!("{b:.4}")),
        opt(m.rates.bound.inner.map(|b| b.optimal), |b| format!(
            "{b:.4}"
        )),
        opt(inner.and_then(|d| d.ratio()), |r| format!("{r:.3}")),
        mu_cell(c.mu(Sphere::Outer)),
        distance_cell(outer),
        found_cell(outer),
        opt(m.rates.bound.outer.map(|b| b.cap), |b| format!("{b:.4}")),
        opt(outer.and_then(|d| d.ratio()), |r| format!("{r:.3}")),
        m.quad
            .as_ref()
            .map(|q| q.bad().map_or("band n/a".into(), |b| b.to_string()))
            .unwrap_or_else(|| "–".into()),
    )
}

pub fn table<'a>(points: impl IntoIterator<Item = &'a Checkpoint>) -> String {
    let mut out = format!(
        "{HEADER}\n|{}\n",
        "---|".repeat(HEADER.matches('|').count() - 1)
    );
    for c in points {
        out.push_str(&row(c));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{Rate, choose};
    use crate::stats::rate_estimate;

    #[test]
    fn rates_say_where_they_come_from() {
        let exact = choose(Some(Rate::from_mu(2e-34)), None, None);
        assert_eq!(mu_cell(exact), "2.00e-34 (exact)");
        let tiny = choose(Some(Rate::exact(0.0, -1000.0)), None, None);
        assert!(mu_cell(tiny).ends_with("(exact)") && mu_cell(tiny).contains("e-435"));
        let upper = choose(None, None, Some(&rate_estimate(0, 3000)));
        assert_eq!(mu_cell(upper), "< 9.98e-4");
        let sampled = choose(None, None, Some(&rate_estimate(5, 100)));
        assert!(mu_cell(sampled).starts_with("5.00e-2 [1.64e-2, 1.13e-1]"));
        let c = crate::report::reading::tests::point(0.01, 0.1, 0.005, false);
        let r = row(&c);
        assert!(
            r.starts_with("| relu | online | 1 | 10 / 1000 | 1.00e-2 ["),
            "{r}"
        );
        assert!(r.contains("| 0.1000 ± 0.0100 | 10 / 10 | – |"), "{r}");
        assert_eq!(r.matches('|').count(), HEADER.matches('|').count());
    }
}
