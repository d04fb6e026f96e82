//! The table of sweep points as markdown, one row per checkpoint, numbers
//! printed exactly as the report's readers (and tests) compare them.

use super::checkpoint::Checkpoint;
use super::plan::size_label;

pub const HEADER: &str = "| model | train size | step | inner errors / samples | mu [95% CI] | d(E) ± 2 se | found / starts | cap bound | optimal bound | d(E) / cap | bad alphas | exact mu |";

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "–".into())
}

pub fn row(c: &Checkpoint) -> String {
    let mu = if c.mu_upper_only {
        format!("< {:.2e}", c.mu)
    } else {
        format!("{:.2e} [{:.2e}, {:.2e}]", c.mu, c.inner.lo, c.inner.hi)
    };
    let d = match c.mean_distance {
        Some(d) => format!("{d:.4} ± {:.4}", 2.0 * c.distance_se.unwrap_or(0.0)),
        None => "none found".into(),
    };
    format!(
        "| {} | {} | {} | {} / {} | {} | {} | {} / {} | {} | {} | {} | {} | {} |",
        c.model,
        size_label(c.train_size),
        c.step,
        c.inner.errors,
        c.inner.samples,
        mu,
        d,
        c.found,
        c.starts,
        opt(c.bound_cap, |b| format!("{b:.4}")),
        opt(c.bound_optimal, |b| format!("{b:.4}")),
        opt(c.ratio(), |r| format!("{r:.3}")),
        c.bad_alphas
            .map(|b| b.to_string())
            .unwrap_or_else(|| "–".into()),
        opt(c.exact_inner, |e| format!("{e:.2e}")),
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
