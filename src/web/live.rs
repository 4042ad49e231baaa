//! Live reload in the server: starts the content watcher ([`crate::live::spawn_watcher`])
//! when the state watches. Open pages poll `/api/v1/live` (in [`super::api`]) and reload
//! themselves when an update affected them.

use std::sync::Arc;

use super::AppState;

/// Starts the watcher thread when the state watches. The thread ends when the watcher stops.
pub fn spawn_watcher(state: &AppState) -> notify::Result<()> {
    let Some(live) = state.live.clone() else {
        return Ok(());
    };
    crate::live::spawn_watcher(live, &state.content_root, Arc::clone(&state.snapshot))
}
