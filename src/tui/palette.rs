//! Colours and plot markers, chosen once from the environment so every view
//! draws the same way over any SSH client.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

/// What the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// NO_COLOR is set: emphasis through bold and reverse only.
    None,
    /// The 16 ANSI colours every terminal has.
    Basic,
    TrueColor,
}

/// What a piece of the screen means; the palette decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Inner,
    Outer,
    Bound,
    Cap,
    Loss,
    Accent,
    Good,
    Warn,
    Error,
    Dim,
    Title,
    Selected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub mode: ColorMode,
}

impl Palette {
    pub fn color(&self, role: Role) -> Color {
        match self.mode {
            ColorMode::None => Color::Reset,
            ColorMode::Basic => match role {
                Role::Inner => Color::Cyan,
                Role::Outer => Color::Magenta,
                Role::Bound => Color::Yellow,
                Role::Cap => Color::LightRed,
                Role::Loss => Color::LightBlue,
                Role::Accent => Color::LightCyan,
                Role::Good => Color::Green,
                Role::Warn => Color::Yellow,
                Role::Error => Color::Red,
                Role::Dim => Color::DarkGray,
                Role::Title => Color::White,
                Role::Selected => Color::Black,
            },
            ColorMode::TrueColor => match role {
                Role::Inner => Color::Rgb(86, 182, 194),
                Role::Outer => Color::Rgb(198, 120, 221),
                Role::Bound => Color::Rgb(229, 192, 123),
                Role::Cap => Color::Rgb(224, 108, 117),
                Role::Loss => Color::Rgb(97, 175, 239),
                Role::Accent => Color::Rgb(152, 195, 121),
                Role::Good => Color::Rgb(152, 195, 121),
                Role::Warn => Color::Rgb(229, 192, 123),
                Role::Error => Color::Rgb(224, 108, 117),
                Role::Dim => Color::Rgb(120, 126, 138),
                Role::Title => Color::Rgb(220, 223, 228),
                Role::Selected => Color::Rgb(40, 44, 52),
            },
        }
    }

    pub fn style(&self, role: Role) -> Style {
        let base = match role {
            Role::Title | Role::Error => Style::new().add_modifier(Modifier::BOLD),
            Role::Selected => Style::new().add_modifier(Modifier::REVERSED),
            _ => Style::new(),
        };
        match (self.mode, role) {
            (ColorMode::None, _) => base,
            // Reverse video already inverts; a background would fight it.
            (_, Role::Selected) => base.fg(self.color(Role::Accent)),
            _ => base.fg(self.color(role)),
        }
    }
}

/// Palette plus the marker charts draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub palette: Palette,
    /// Fonts without braille get one dot per cell instead.
    pub ascii: bool,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            palette: Palette {
                mode: ColorMode::TrueColor,
            },
            ascii: false,
        }
    }
}

impl Look {
    /// Reads NO_COLOR, COLORTERM and SPHERES_ASCII.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok();
        Self::from_vars(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("SPHERES_ASCII").as_deref(),
        )
    }

    pub fn from_vars(no_color: Option<&str>, colorterm: Option<&str>, ascii: Option<&str>) -> Self {
        // no-color.org: any non-empty value disables colour.
        let mode = if no_color.is_some_and(|v| !v.is_empty()) {
            ColorMode::None
        } else if matches!(colorterm, Some("truecolor" | "24bit")) {
            ColorMode::TrueColor
        } else {
            ColorMode::Basic
        };
        let ascii = ascii.is_some_and(|v| !v.is_empty() && v != "0");
        Self {
            palette: Palette { mode },
            ascii,
        }
    }

    pub fn marker(&self) -> Marker {
        if self.ascii {
            Marker::Dot
        } else {
            Marker::Braille
        }
    }

    pub fn style(&self, role: Role) -> Style {
        self.palette.style(role)
    }

    pub fn color(&self, role: Role) -> Color {
        self.palette.color(role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_removes_every_colour() {
        let look = Look::from_vars(Some("1"), Some("truecolor"), None);
        assert_eq!(look.palette.mode, ColorMode::None);
        assert_eq!(look.style(Role::Inner).fg, None);
        assert_eq!(look.color(Role::Error), Color::Reset);
    }

    #[test]
    fn without_truecolor_only_basic_colours_are_used() {
        let look = Look::from_vars(None, None, None);
        assert_eq!(look.palette.mode, ColorMode::Basic);
        assert!(!matches!(look.color(Role::Inner), Color::Rgb(..)));
        let look = Look::from_vars(Some(""), Some("24bit"), None);
        assert!(matches!(look.color(Role::Inner), Color::Rgb(..)));
    }

    #[test]
    fn ascii_switches_the_marker() {
        assert_eq!(Look::from_vars(None, None, Some("1")).marker(), Marker::Dot);
        assert_eq!(
            Look::from_vars(None, None, Some("0")).marker(),
            Marker::Braille
        );
    }
}
