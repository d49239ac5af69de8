//! A progress line with documents/s on a terminal; silent when stderr is not one.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub fn documents(stage: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {human_pos} documents ({per_sec}) {elapsed}")
            .expect("valid template"),
    );
    bar.set_message(stage.to_string());
    bar
}
