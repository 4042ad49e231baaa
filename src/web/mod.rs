//! The HTTP layer (actix-web): routes, access rules, errors as pages or JSON.
//!
//! STUB: the site shell is being written.

use std::net::SocketAddr;
use std::path::PathBuf;

/// What `selfserve serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The content folder.
    pub content: PathBuf,
    /// Where the database and other state live.
    pub data: PathBuf,
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Reload content on edits.
    pub watch: bool,
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The content folder cannot be read.
    #[error(transparent)]
    Content(#[from] crate::source::SourceError),
    /// The address is taken or not allowed.
    #[error("cannot listen on {addr}: {source}; pick another address with --addr")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The server failed while running.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// Runs the server until it is stopped.
pub fn serve(options: ServeOptions) -> Result<(), ServeError> {
    let _ = options;
    Ok(())
}
