//! Log lines: `text` for people (no colour codes unless stderr is a terminal), `json` for
//! log collectors (one object per line, on stdout and stderr alike). `RUST_LOG` sets the
//! level (default `info`); the access log is the target `selfserve::access`.

use std::sync::OnceLock;

use tracing_subscriber::fmt::writer::MakeWriterExt;

use crate::server_config::LogFormat;

/// The target of the "listening on" event: written to stdout (scripts read the URL there),
/// and never filtered out.
pub const LISTENING_TARGET: &str = "selfserve::listening";

static FORMAT: OnceLock<LogFormat> = OnceLock::new();

/// Starts logging in `format`; later calls change nothing.
pub fn init(format: LogFormat) {
    use std::io::IsTerminal;
    if FORMAT.set(format).is_err() {
        return;
    }
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if let Ok(listening) = format!("{LISTENING_TARGET}=info").parse() {
        filter = filter.add_directive(listening);
    }
    let writer = std::io::stdout
        .with_filter(|meta: &tracing::Metadata<'_>| meta.target() == LISTENING_TARGET)
        .or_else(std::io::stderr);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .try_init(),
    };
}

/// True when log lines are JSON objects.
pub fn is_json() -> bool {
    FORMAT.get() == Some(&LogFormat::Json)
}

/// Reports the error that ends the program: `error: SENTENCE` on stderr, or an error
/// event when the lines are JSON (so a collector sees why the server stopped).
pub fn failure(sentence: &str) {
    if is_json() {
        tracing::error!("{sentence}");
    } else {
        eprintln!("error: {sentence}");
    }
}

/// Announces the listening URL on stdout: the bare `selfserve listening on URL` line in
/// text (what scripts and the tests look for), a JSON object with a `url` field in json.
pub fn listening(url: &str) {
    if is_json() {
        tracing::info!(target: LISTENING_TARGET, url, "selfserve listening on {url}");
    } else {
        println!("selfserve listening on {url}");
    }
}
