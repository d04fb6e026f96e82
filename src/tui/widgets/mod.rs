//! One widget per file; each is a pure function of the app state drawing
//! into a given area.

pub mod alpha_histogram;
pub mod change_log_panel;
pub mod chart_frame;
pub mod controls_table;
pub mod corollary_chart;
pub mod decision_slice;
pub mod distance_histogram;
pub mod distance_summary;
pub mod edit_feedback;
pub mod error_rates;
pub mod histogram_panel;
pub mod key_help;
pub mod loss_chart;
pub mod message_line;
pub mod overlay;
pub mod quad_rates;
pub mod robustness_panel;
pub mod status_line;
pub mod tab_bar;
pub mod text_panel;
pub mod throughput;
pub mod too_small;
pub mod tradeoff_scatter;
pub mod worst_case_chart;
