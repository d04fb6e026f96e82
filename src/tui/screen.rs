//! The dashboard's screens, in tab order.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    #[default]
    Overview,
    Geometry,
    Quadratic,
    Controls,
    Help,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Overview,
        Screen::Geometry,
        Screen::Quadratic,
        Screen::Controls,
        Screen::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Overview => "Overview",
            Screen::Geometry => "Geometry",
            Screen::Quadratic => "Quadratic",
            Screen::Controls => "Controls",
            Screen::Help => "Help",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    pub fn next(self) -> Screen {
        Self::ALL[(self.index() + 1) % Self::ALL.len()]
    }

    pub fn previous(self) -> Screen {
        Self::ALL[(self.index() + Self::ALL.len() - 1) % Self::ALL.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_order_wraps_both_ways() {
        assert_eq!(Screen::Help.next(), Screen::Overview);
        assert_eq!(Screen::Overview.previous(), Screen::Help);
        assert_eq!(Screen::Geometry.next(), Screen::Quadratic);
    }
}
