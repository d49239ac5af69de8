//! A progress line with documents/s on a terminal; silent when stderr is not one.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

pub fn documents(stage: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {human_pos} documents ({rate}) {elapsed}")
            .expect("valid template")
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0} documents/s", state.per_sec());
                },
            ),
    );
    bar.set_message(stage.to_string());
    bar
}
