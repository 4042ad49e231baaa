//! The `selfserve` binary: parses arguments, starts logging, runs a command, maps the result
//! to an exit code.

use std::process::ExitCode;

/// The loader and the index build allocate and free gigabytes at 100× the corpus on several
/// threads; glibc's malloc kept ~20 % of it in per-thread arenas afterwards, mimalloc
/// returns it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    one_thread_per_embedding();
    let cli = selfserve::cli::parse();
    match selfserve::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            selfserve::cli::logging::failure(&selfserve::cli::errors::sentence(&err));
            ExitCode::from(1)
        }
    }
}

/// The semantic search model (candle) runs each passage on one thread, and the embedder
/// runs one passage per core side by side: candle's own splitting of a small passage over
/// threads (rayon for matrix products, a spinning pool for element-wise steps) cost twice
/// the CPU for the same work. candle reads the thread count only from `RAYON_NUM_THREADS`,
/// so it is set here unless the operator set it (`.cargo/config.toml` does the same for
/// tests and benches).
#[allow(unsafe_code)]
fn one_thread_per_embedding() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // SAFETY: the first thing `main` does, before any other thread exists, so nothing
        // can read the environment while it changes.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", "1") };
    }
}
