//! `spheres report DIR`: figures, table and reading of a sweep, as DIR/report.md.

use super::args::ReportArgs;

pub fn report(a: ReportArgs) -> anyhow::Result<()> {
    let path = crate::report::write_report(&a.dir)?;
    println!("{}", path.display());
    Ok(())
}
