//! Every screen rendered from a realistic run at the minimum, the design and
//! a large size: snapshots for the layout, explicit checks for the numbers.

use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use crate::session::messages::{Event, RunState};

use super::app::{App, Prompt};
use super::fixtures::{app, quad_report};
use super::keys::BINDINGS;
use super::palette::Look;
use super::screen::Screen;
use super::views::view;

fn draw(app: &App, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (0..area.height)
        .map(|y| {
            let row: String = (0..area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn render(app: &App, width: u16, height: u16) -> String {
    text(&draw(app, width, height))
}

fn on(screen: Screen, model: &str) -> App {
    let mut a = app(model);
    a.ui.screen = screen;
    a
}

/// Words in reading order, so wrapped text still matches.
fn words(screen: &str) -> String {
    screen.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_all(screen: &str, needles: &[&str]) {
    for n in needles {
        assert!(screen.contains(n), "missing {n:?} in\n{screen}");
    }
}

#[test]
fn overview_at_80x24_shows_rates_interval_and_bound() {
    let a = on(Screen::Overview, "relu");
    let s = render(&a, 80, 24);
    assert_all(
        &s,
        &[
            "1 Overview",
            "RUNNING",
            "rate used, 95% · model v24",
            "inner MC 3.2e-4 [2.2e-4, 4.5e-4]",
            "32 errors in 100.0k points",
            // Sampling saw no outer error: the rare-event estimate is used.
            "outer AMS 3.1e-9 [2.0e-9, 4.8e-9]",
            "MC < 9.9e-4, none in 3000",
            "inner 0.0931 ± 0.0060  d/cap 61%",
            "upper est., 48/50 found",
            "cap 0.1527 at 3.2e-4 (MC)",
            "outer 0.2412 ± 0.0080  d/cap 72%",
            "upper est., 50/50 found",
            "R·cap 0.3354 at 3.1e-9 (AMS)",
            "loss, whole run (log, EMA 0)",
            "samples/s 36.0k",
            "relu-paper | step 12.0k/1.0M | ETA 22m51s | running | cores 1 train / 1 eval",
        ],
    );
    assert_snapshot!("overview_80x24", s);
}

#[test]
fn overview_at_160x48_adds_the_recent_window_and_full_status() {
    let a = on(Screen::Overview, "relu");
    let s = render(&a, 160, 48);
    assert_all(
        &s,
        &[
            "loss, whole run",
            "loss, last 600 steps",
            "▲cap 0.1527",
            "▲opt 0.1527",
            "nearest-error distances (50)",
            "mean of per-start upper bounds, 48/50 found",
            "mean of per-start upper bounds, 50/50 found",
            "1000 evaluations · 10 repeats · acc 0.30",
            "cores 1 train / 1 eval",
            "unsaved 6000 steps",
            "samples 600.0k",
            "elapsed 15s",
            "ETA ",
            "model v24",
        ],
    );
    assert_snapshot!("overview_160x48", s);
}

#[test]
fn a_quadratic_net_is_read_at_its_exact_rates_with_the_exact_d_e_beside() {
    let a = on(Screen::Overview, "quad");
    for (w, h) in [(80, 24), (160, 48)] {
        let s = render(&a, w, h);
        assert_all(
            &s,
            &[
                "inner exact 1.2e-11",
                "MC 3.2e-4 [2.2e-4, 4.5e-4]",
                "outer exact 4.0e-13",
                "inner 0.0931 ± 0.0060  d/cap 31%",
                "48/50 found",
                "exact 0.0902",
                "attack bias +3.2%",
                "cap 0.2958 at 1.2e-11 (exact)",
                "R·cap 0.4115 at 4.0e-13 (exact)",
            ],
        );
    }
}

#[test]
fn every_rare_event_outcome_says_what_it_is() {
    use crate::attack::RareOutcome;
    use crate::attack::rare::StallCause;
    let outcomes = [
        (
            RareOutcome::Stalled {
                level: -0.3,
                max_score: -0.2,
                cause: StallCause::Floor,
            },
            None,
            1.2e-18,
            &[
                "outer < 1.2e-18 upper bound (AMS)",
                "AMS stalled (floor): < 1.2e-18",
            ][..],
        ),
        (
            RareOutcome::NotMixed {
                level: -0.1,
                ln_reached: -40.0,
            },
            None,
            1.0,
            &[
                "outer < 9.9e-4 upper bound (MC)",
                "AMS: not mixed, no estimate",
            ][..],
        ),
        (
            RareOutcome::Estimate { target_met: false },
            Some(3.1e-9),
            9e-9,
            &[
                "outer AMS 3.1e-9 [2.0e-9, 9.0e-9]",
                "AMS: wider than its target",
            ][..],
        ),
    ];
    for (outcome, rate, hi, needles) in outcomes {
        let mut a = on(Screen::Overview, "relu");
        let mut r = super::fixtures::rates("relu");
        let mut e = crate::measure::rate::tests::rare(outcome, rate, 2e-9, hi);
        e.sphere = crate::data::Sphere::Outer;
        r.value = r.value.with_rare(500, 1.3, crate::data::Sphere::Outer, e);
        a.update(Event::Rates(r));
        assert_all(&words(&render(&a, 80, 24)), needles);
    }
    // An estimate of an older model stays in view, marked with its model.
    let mut a = on(Screen::Overview, "relu");
    let mut newer = super::fixtures::rates("relu");
    newer.version = 25;
    newer.value.outer.rare = None;
    newer.value.outer.mu = crate::measure::choose(None, None, Some(&newer.value.outer.sampled));
    a.update(Event::Rates(newer));
    let s = render(&a, 80, 24);
    assert_all(
        &s,
        &[
            "model v25",
            "outer < 9.9e-4 upper bound (MC)",
            "v24 AMS 3.1e-9 [2.0e-9, 4.8e-9]",
        ],
    );
}

#[test]
fn geometry_shows_scatter_bounds_slice_and_robustness() {
    let a = on(Screen::Geometry, "relu");
    let small = render(&a, 80, 24);
    let robustness = [
        "off-manifold · v24 · 25 points",
        "clean acc 1.00 · PGD robust acc:",
        "eps .015 .030 .060 .090 .120 .142",
        "acc 1.00 .980 .880 .580 .300 .240",
        "min l2 median 0.0971 (19/25)",
        "noise σ√n .037 .075 .150 .300",
        "error <6e-5 2e-4 6e-4 1e-2",
        "inner within 1×cap .870 (cap .499)",
        "outer within 1×cap .910 (cap .500)",
    ];
    assert_all(
        &small,
        &[
            "error rate vs d(E), n=500",
            "optimal",
            "exact cap",
            "slice random/adversarial",
            "1e-4",
        ],
    );
    assert_all(&small, &robustness);
    assert!(
        small
            .chars()
            .any(|c| ('\u{2801}'..='\u{28ff}').contains(&c))
    );
    assert_snapshot!("geometry_80x24", small);
    for (w, h) in [(120, 36), (160, 48)] {
        let large = render(&a, w, h);
        assert_all(&large, &robustness);
        assert_all(
            &large,
            &[
                "corollary: within eps",
                "inner measured",
                "inner cap (bound)",
                "2×cap",
            ],
        );
        if h >= 48 {
            assert_all(&large, &["this run", "latest", "inner 0.0931 ± 0.0060"]);
            assert_snapshot!("geometry_160x48", large);
        }
    }
}

#[test]
fn a_rate_far_below_the_smallest_double_has_its_place_and_its_bound_in_the_scatter() {
    let mut a = on(Screen::Geometry, "quad");
    let mut n = super::fixtures::nearest(50, 50);
    n.version = 25;
    n.value.mu = crate::measure::choose(Some(crate::measure::Rate::from_log10(-400.5)), None, None);
    n.value.nearest.mean_distance = 1.35;
    a.update(Event::NearestError(n));
    let s = render(&a, 120, 36);
    assert_all(&s, &["1e-401", "1e0", "•"]);
    // The curves are continued down there: the y axis reaches past the
    // point, to the optimal curve's 1.91 at 1e-400 and n = 500.
    let top: f64 = s
        .lines()
        .nth(2)
        .and_then(|l| l.split('│').nth(1))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(top > 1.91, "{s}");
}

#[test]
fn quadratic_screen_for_a_quad_net() {
    let a = on(Screen::Quadratic, "quad");
    let report = quad_report().value;
    let bad = format!("bad alphas {} of 500", report.bad_low + report.bad_high);
    let low = format!("{} < 1/R² = 0.5917", report.bad_low);
    let high = format!("{} > 1", report.bad_high);
    for (w, h) in [(80, 24), (160, 48)] {
        let s = render(&a, w, h);
        assert_all(
            &words(&s),
            &[
                &bad,
                &low,
                &high,
                "inner 1.2e-11 3.4e-9",
                "outer 4.0e-13 2.5e-10",
                "band [0.5917, 1]",
                "worst-case loss, exact:",
                "inner 1.6100 outer 0.0020",
                "worst-case vs average loss",
                "worst, exact",
                "attack (check)",
            ],
        );
        assert_snapshot!(format!("quadratic_{w}x{h}"), s);
    }
}

#[test]
fn a_positive_bias_flags_the_alpha_band_as_not_applying() {
    let mut a = on(Screen::Quadratic, "quad");
    let mut q = quad_report();
    q.value.band_applies = Some(false);
    a.update(Event::QuadReport(q));
    let s = words(&render(&a, 80, 24));
    assert_all(&s, &["band [1/R², 1] does not apply:", "no alpha is bad"]);
    assert!(!s.contains("bad alphas"), "{s}");
}

#[test]
fn quadratic_screen_for_other_models_explains_itself() {
    let a = on(Screen::Quadratic, "relu");
    let s = render(&a, 80, 24);
    assert_all(&words(&s), &["quadratic nets", "\"relu\""]);
}

#[test]
fn controls_show_values_and_the_change_log() {
    let a = on(Screen::Controls, "relu");
    let s = render(&a, 80, 24);
    assert_all(
        &s,
        &[
            "train.lr",
            "3e-4",
            "train.batch",
            "applied step 9000: attack.starts 50 -> 64",
            "step 6000: train.lr 1e-4 -> 3e-4",
        ],
    );
    assert_snapshot!("controls_80x24", s);
    let large = render(&a, 160, 48);
    for c in &a.info.controls {
        assert_all(&large, &[&c.key, &c.value]);
    }
    assert_snapshot!("controls_160x48", large);
}

#[test]
fn refused_edit_is_shown_with_its_reason() {
    let mut a = on(Screen::Controls, "relu");
    a.update(Event::Refused {
        key: "train.lr".into(),
        value: "-3".into(),
        reason: "must be > 0".into(),
    });
    let s = render(&a, 160, 48);
    assert_all(
        &s,
        &["refused train.lr = -3: must be > 0 (value stays 3e-4)"],
    );
    let small = render(&a, 80, 24);
    assert_all(&small, &["refused train.lr = -3: must be > 0"]);
}

#[test]
fn editing_shows_the_typed_text_in_place() {
    let mut a = on(Screen::Controls, "relu");
    a.ui.edit.buffer = Some("5e-".into());
    let s = render(&a, 80, 24);
    assert_all(&s, &["5e-▏", "enter send · esc cancel"]);
}

#[test]
fn help_lists_every_key_of_the_table() {
    let a = on(Screen::Help, "relu");
    for (w, h) in [(80, 24), (160, 48)] {
        let s = render(&a, w, h);
        for b in BINDINGS {
            assert_all(&s, &[&b.key.label(), b.description]);
        }
        assert_all(
            &s,
            &["everywhere", "while editing", "leaving the dashboard"],
        );
        assert_snapshot!(format!("help_{w}x{h}"), s);
    }
}

#[test]
fn too_small_terminal_gets_a_message() {
    let a = on(Screen::Overview, "relu");
    let s = render(&a, 40, 10);
    assert_all(&words(&s), &["terminal too small: need 60x16, have 40x10"]);
    let s = render(&a, 60, 16);
    assert!(!s.contains("too small"));
}

#[test]
fn no_size_and_no_screen_panics() {
    for model in ["relu", "quad"] {
        let mut a = app(model);
        a.update(Event::warning("attack budget exhausted on 2 starts"));
        for screen in Screen::ALL {
            a.ui.screen = screen;
            for (w, h) in [
                (1, 1),
                (59, 15),
                (60, 16),
                (61, 17),
                (80, 24),
                (100, 30),
                (119, 35),
                (120, 36),
                (250, 80),
            ] {
                render(&a, w, h);
            }
        }
    }
    let empty = App::new(super::fixtures::run_info("quad"));
    for screen in Screen::ALL {
        let mut e = empty.clone();
        e.ui.screen = screen;
        render(&e, 80, 24);
        render(&e, 60, 16);
    }
}

#[test]
fn empty_run_shows_waiting_messages() {
    let a = App::new(super::fixtures::run_info("relu"));
    let s = words(&render(&a, 80, 24));
    assert_all(
        &s,
        &[
            "waiting for the first estimate",
            "inner waiting for the attacks",
            "outer waiting for the attacks",
        ],
    );
}

#[test]
fn quit_prompt_and_stopping_overlays() {
    let mut a = on(Screen::Overview, "relu");
    a.ui.prompt = Some(Prompt::Leave);
    let s = render(&a, 80, 24);
    assert_all(
        &s,
        &[
            "leave the dashboard?",
            "d  detach: training goes on",
            "s  stop the run and save it",
            "esc  cancel",
            "6000 steps since the last snapshot",
        ],
    );
    a.ui.prompt = None;
    a.life.stopping = true;
    let s = render(&a, 80, 24);
    assert_all(&s, &["stopping…", "STOPPING"]);
}

#[test]
fn warnings_and_errors_take_the_message_line() {
    let mut a = on(Screen::Overview, "relu");
    a.update(Event::warning("eval thread is behind"));
    assert_all(&render(&a, 80, 24), &["warning: eval thread is behind"]);
    a.update(Event::error("non-finite loss at step 12001"));
    a.update(Event::State {
        state: RunState::Diverged,
    });
    assert_all(
        &render(&a, 80, 24),
        &["error: non-finite loss at step 12001", "DIVERGED"],
    );
}

#[test]
fn no_color_draws_without_any_colour() {
    let mut a = on(Screen::Overview, "quad");
    a.look = Look::from_vars(Some("1"), Some("truecolor"), None);
    for screen in Screen::ALL {
        a.ui.screen = screen;
        let buffer = draw(&a, 120, 40);
        for cell in buffer.content() {
            assert_eq!(cell.fg, Color::Reset, "{screen:?} has a coloured cell");
            assert_eq!(cell.bg, Color::Reset, "{screen:?} has a coloured cell");
        }
    }
}

#[test]
fn ascii_look_avoids_braille() {
    let mut a = on(Screen::Geometry, "relu");
    a.look = Look::from_vars(None, None, Some("1"));
    let s = render(&a, 100, 30);
    assert!(!s.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)));
    assert!(s.contains('•'));
}
