//! Text for the `spheres bound` calculator: the cap bound for (n, mu), and
//! the exact error rates of a quadratic net given its alphas.

use std::fmt::Write;

use super::cap;
use super::error::Result;
use super::quadnet::analyse_alphas;

/// Upper limit on the expanded list, so a typo like `0.9*1e9` is an error
/// rather than an allocation of gigabytes.
const MAX_ALPHAS: usize = 10_000_000;

/// Parses `0.9,1.2,0.8`, repeats `value*count` (`1.5*1,0.9*499`), or
/// `@path`: a file with one value (or `value*count`) per line, blank lines
/// and `#` comments ignored. Errors name the offending token or line.
pub fn parse_alpha_list(s: &str) -> std::result::Result<Vec<f64>, String> {
    let s = s.trim();
    let mut out = Vec::new();
    if let Some(path) = s.strip_prefix('@') {
        let text = std::fs::read_to_string(path.trim())
            .map_err(|e| format!("cannot read alpha file '{}': {e}", path.trim()))?;
        for (i, line) in text.lines().enumerate() {
            let token = line.split('#').next().unwrap_or("").trim();
            if token.is_empty() {
                continue;
            }
            push_token(token, &mut out).map_err(|e| format!("{}:{}: {e}", path.trim(), i + 1))?;
        }
    } else {
        for (i, token) in s.split(',').enumerate() {
            let token = token.trim();
            if token.is_empty() {
                return Err(format!("empty entry at position {} in '{s}'", i + 1));
            }
            push_token(token, &mut out)?;
        }
    }
    if out.is_empty() {
        return Err("no alphas given".into());
    }
    Ok(out)
}

fn push_token(token: &str, out: &mut Vec<f64>) -> std::result::Result<(), String> {
    let (value, count) = match token.split_once('*') {
        Some((v, c)) => {
            let c = c.trim();
            let count: usize = c
                .parse()
                .map_err(|_| format!("bad repeat count '{c}' in '{token}'"))?;
            if count == 0 {
                return Err(format!("repeat count must be at least 1 in '{token}'"));
            }
            (v.trim(), count)
        }
        None => (token, 1),
    };
    let v: f64 = value
        .parse()
        .map_err(|_| format!("'{value}' is not a number (in '{token}')"))?;
    if !v.is_finite() {
        return Err(format!("alpha '{token}' is not finite"));
    }
    if out.len() + count > MAX_ALPHAS {
        return Err(format!("more than {MAX_ALPHAS} alphas (at '{token}')"));
    }
    out.extend(std::iter::repeat_n(v, count));
    Ok(())
}

/// A probability given by its log in scientific notation, so rates below
/// the smallest double still print (e.g. `3.1e-412`).
pub fn sci_from_ln(ln_p: f64) -> String {
    if ln_p == f64::NEG_INFINITY {
        return "0".into();
    }
    if ln_p > -700.0 {
        return format!("{:.3e}", ln_p.exp());
    }
    let l10 = ln_p / std::f64::consts::LN_10;
    let mut e = l10.floor();
    let mut m = 10f64.powf(l10 - e);
    if m >= 9.9995 {
        m /= 10.0;
        e += 1.0;
    }
    format!("{m:.3}e{e}")
}

/// The cap bound at dimension n and error rate mu: average distance to a
/// cap of measure mu (Euclidean and geodesic) and the paper's estimate.
pub fn bound_text(n: usize, mu: f64) -> Result<String> {
    let t0 = cap::cap_threshold(n, mu)?;
    let euc = cap::cap_distance_euclidean(n, mu)?;
    let geo = cap::cap_distance_geodesic(n, mu)?;
    let opt = cap::optimal_estimated(n, mu)?;
    let gauss = cap::cap_distance_gaussian(n, mu)?;
    let mut s = String::new();
    let _ = writeln!(s, "Cap bound on the unit sphere, n = {n}, mu = {mu:.3e}");
    let _ = writeln!(s, "  cap threshold t0 (cap = {{x_1 > t0}})       {t0:.6}");
    let _ = writeln!(s, "  cap average distance, Euclidean           {euc:.6}");
    let _ = writeln!(s, "  cap average distance, geodesic            {geo:.6}");
    let _ = writeln!(s, "  optimal (estimated) Phi^-1(1-mu)/sqrt(n)  {opt:.6}");
    let _ = writeln!(s, "  Gaussian form (z Phi(z)+phi(z))/sqrt(n)   {gauss:.6}");
    let _ = writeln!(
        s,
        "Any error set of measure mu has average Euclidean distance d(E) <= {euc:.6}."
    );
    Ok(s)
}

/// Counts of alphas outside [1/R^2, 1] and the exact and CLT error rates on
/// each sphere.
pub fn alphas_text(alphas: &[f64], radius: f64) -> Result<String> {
    let a = analyse_alphas(alphas, radius)?;
    let lo = 1.0 / (radius * radius);
    let n = a.alphas.len();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Quadratic net, n = {n}, R = {radius}: band [1/R^2, 1] = [{lo:.6}, 1]"
    );
    let _ = writeln!(
        s,
        "  alphas below 1/R^2: {}   above 1: {}   in band: {}   (min {:.6}, max {:.6})",
        a.bad_low,
        a.bad_high,
        n - a.bad_low - a.bad_high,
        a.alphas[0],
        a.alphas[n - 1]
    );
    let _ = writeln!(s, "  error rate      exact        CLT estimate");
    let _ = writeln!(
        s,
        "  inner sphere    {:<12} {:.3e}",
        sci_from_ln(a.ln_inner_exact),
        a.inner_clt
    );
    let _ = writeln!(
        s,
        "  outer sphere    {:<12} {:.3e}",
        sci_from_ln(a.ln_outer_exact),
        a.outer_clt
    );
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_repeats() {
        assert_eq!(
            parse_alpha_list("0.9, 1.2,0.8").unwrap(),
            vec![0.9, 1.2, 0.8]
        );
        let v = parse_alpha_list("1.5*1,0.9*499").unwrap();
        assert_eq!(v.len(), 500);
        assert_eq!((v[0], v[1], v[499]), (1.5, 0.9, 0.9));
        assert_eq!(parse_alpha_list(" 2e-1 * 2 ").unwrap(), vec![0.2, 0.2]);
    }

    #[test]
    fn parse_errors_name_the_token() {
        let e = parse_alpha_list("0.9,abc,1").unwrap_err();
        assert!(e.contains("'abc'"), "{e}");
        let e = parse_alpha_list("0.9*x").unwrap_err();
        assert!(e.contains("'x'") && e.contains("0.9*x"), "{e}");
        let e = parse_alpha_list("0.9,,1").unwrap_err();
        assert!(e.contains("position 2"), "{e}");
        assert!(
            parse_alpha_list("0.9*0")
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(parse_alpha_list("inf").unwrap_err().contains("not finite"));
        assert!(parse_alpha_list("NaN*3").is_err());
        assert!(
            parse_alpha_list("1*99999999999")
                .unwrap_err()
                .contains("more than")
        );
        assert!(parse_alpha_list("").is_err());
    }

    #[test]
    fn parses_files_with_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alphas.txt");
        std::fs::write(&path, "# trained net\n0.9\n\n1.1  # too big\n0.7*2\n").unwrap();
        let v = parse_alpha_list(&format!("@{}", path.display())).unwrap();
        assert_eq!(v, vec![0.9, 1.1, 0.7, 0.7]);
        std::fs::write(&path, "0.9\n\nfoo\n").unwrap();
        let e = parse_alpha_list(&format!("@{}", path.display())).unwrap_err();
        assert!(e.contains(":3:") && e.contains("'foo'"), "{e}");
        let e = parse_alpha_list("@/nonexistent/alphas").unwrap_err();
        assert!(e.contains("/nonexistent/alphas"), "{e}");
    }

    #[test]
    fn bound_text_has_all_curves() {
        let s = bound_text(500, 1e-2).unwrap();
        assert!(s.contains("n = 500") && s.contains("mu = 1.000e-2"), "{s}");
        assert!(s.contains("Euclidean") && s.contains("geodesic") && s.contains("optimal"));
        // Phi^-1(0.99)/sqrt(500) = 0.104036.
        assert!(s.contains("0.1040"), "{s}");
        assert!(
            bound_text(1, 0.1)
                .unwrap_err()
                .to_string()
                .contains("got 1")
        );
        assert!(
            bound_text(10, 1.0)
                .unwrap_err()
                .to_string()
                .contains("got 1")
        );
    }

    #[test]
    fn alphas_text_reports_counts_and_rates() {
        let mut alphas = vec![1.5];
        alphas.extend(vec![0.9; 499]);
        let s = alphas_text(&alphas, 1.3).unwrap();
        assert!(s.contains("n = 500") && s.contains("above 1: 1") && s.contains("below 1/R^2: 0"));
        assert!(
            s.contains("inner sphere") && s.contains("outer sphere    0 "),
            "{s}"
        );
        assert!(
            alphas_text(&alphas, 0.5)
                .unwrap_err()
                .to_string()
                .contains("0.5")
        );
    }

    #[test]
    fn log_probabilities_print_below_the_double_range() {
        assert_eq!(sci_from_ln(f64::NEG_INFINITY), "0");
        assert_eq!(sci_from_ln((1e-5f64).ln()), "1.000e-5");
        assert_eq!(
            sci_from_ln(-1000.0 * std::f64::consts::LN_10),
            "1.000e-1000"
        );
        assert_eq!(
            sci_from_ln((3.2f64).ln() - 400.0 * std::f64::consts::LN_10),
            "3.200e-400"
        );
    }
}
