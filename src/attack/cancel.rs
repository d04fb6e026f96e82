//! A cooperative stop for long measurements: attacks and estimators look at
//! it between units of work, so a signal or a newer model is answered in
//! well under a second instead of when a measurement of minutes ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Cheap to clone; every clone sees the same flag. `Cancel::never()` is
/// for callers with nothing to stop them.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Option<Arc<AtomicBool>>);

impl Cancel {
    pub fn never() -> Self {
        Self(None)
    }

    /// A token that reports cancelled once `flag` is set.
    pub fn on(flag: Arc<AtomicBool>) -> Self {
        Self(Some(flag))
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f.load(Ordering::Relaxed))
    }

    /// `Err(AttackError::Cancelled)` once cancelled, for `?` between steps.
    pub fn check(&self) -> Result<(), super::AttackError> {
        if self.is_cancelled() {
            Err(super::AttackError::Cancelled)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag() {
        let flag = Arc::new(AtomicBool::new(false));
        let c = Cancel::on(Arc::clone(&flag));
        let d = c.clone();
        assert!(!d.is_cancelled() && c.check().is_ok());
        flag.store(true, Ordering::Relaxed);
        assert!(d.is_cancelled());
        assert_eq!(c.check(), Err(crate::attack::AttackError::Cancelled));
        assert!(!Cancel::never().is_cancelled());
    }
}
