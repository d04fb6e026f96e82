//! `spheres bound`: the isoperimetric bound for given n and error rates, or
//! the exact and CLT error rates of a quadratic boundary with given alphas.

use anyhow::{Context, bail};

use super::args::BoundArgs;
use crate::stats::report::{alphas_text, bound_text, parse_alpha_list};

pub fn bound(a: BoundArgs) -> anyhow::Result<()> {
    match (&a.alphas, a.n) {
        (Some(list), _) => {
            let alphas = parse_alpha_list(list)
                .map_err(anyhow::Error::msg)
                .context("--alphas")?;
            print!("{}", alphas_text(&alphas, a.radius)?);
        }
        (None, Some(n)) => {
            if a.mu.is_empty() {
                bail!("--n needs at least one --mu (an error rate in (0, 1))");
            }
            for (i, mu) in a.mu.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print!(
                    "{}",
                    bound_text(n, *mu).with_context(|| format!("--n {n} --mu {mu}"))?
                );
            }
        }
        (None, None) => {
            bail!("give --n N --mu MU (the cap bound) or --alphas LIST (a quadratic boundary)")
        }
    }
    Ok(())
}
