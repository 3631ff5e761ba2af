//! A local directory as the store, walked with `std::fs` and never through a symbolic link.
//!
//! `object_store`'s `LocalFileSystem` follows symbolic links, also out of its root: its
//! listing walks into linked directories (and lists linked files), and deleting a key
//! whose path crosses a linked directory deletes the file it leads to. So this backend
//! walks the directory itself: a symbolic link met on the way to a prefix or under it is
//! counted and left alone (neither followed nor deleted: what it leads to may be another
//! person's, or outside the root), and the erasure reports it as a permanent failure.
//! Before each file is deleted, its directory is resolved again and must still be under
//! the root (a directory swapped for a link since the listing is not followed either).
//! Directories left empty are removed too (up to the root): their names are identifiers.

mod listing;

use crate::backend::{Backend, Counts, StepError};
use crate::error::ConfigError;
use async_trait::async_trait;
use listing::listing;
use std::io;
use std::path::{Path, PathBuf};

/// A directory; its path resolved once, at construction.
#[derive(Debug, Clone)]
pub struct LocalBackend {
    root: PathBuf,
}

impl LocalBackend {
    /// `root`, created if missing.
    pub fn new(root: &Path) -> Result<Self, ConfigError> {
        let refused = |reason: String| ConfigError::Root {
            path: root.to_owned(),
            reason,
        };
        std::fs::create_dir_all(root).map_err(|e| refused(e.to_string()))?;
        let root = std::fs::canonicalize(root).map_err(|e| refused(e.to_string()))?;
        if !root.is_dir() {
            return Err(refused("not a directory".to_owned()));
        }
        Ok(Self { root })
    }
}

#[async_trait]
impl Backend for LocalBackend {
    async fn probe(&self) -> Result<(), StepError> {
        match std::fs::read_dir(&self.root) {
            Ok(_) => Ok(()),
            Err(e) => Err(StepError::failed("listing the root", kind(&e))),
        }
    }

    async fn erase_prefix(&self, prefix: &object_store::path::Path) -> Result<Counts, StepError> {
        let root = self.root.clone();
        let parts: Vec<String> = prefix.parts().map(|p| p.as_ref().to_owned()).collect();
        tokio::task::spawn_blocking(move || erase(&root, &parts))
            .await
            .map_err(|_| StepError::failed("deleting", "storage error"))?
    }
}

/// Delete every file under `root/parts...`, then look again.
fn erase(root: &Path, parts: &[String]) -> Result<Counts, StepError> {
    let found = listing(root, parts).map_err(|e| StepError::failed("listing", kind(&e)))?;
    let mut deleted = 0;
    for file in &found.files {
        if delete(root, file).map_err(|e| StepError::failed("deleting", kind(&e)))? {
            deleted += 1;
        }
    }
    if let Some(dir) = &found.dir {
        prune(root, dir);
    }
    let left = listing(root, parts).map_err(|e| StepError::failed("listing again", kind(&e)))?;
    Ok(Counts {
        deleted,
        remaining: left.files.len() as u64,
        links: left.links,
        ..Counts::default()
    })
}

/// Deletes `file` if its directory still resolves to one under the root; whether it did.
fn delete(root: &Path, file: &Path) -> io::Result<bool> {
    let Some(parent) = file.parent() else {
        return Ok(false);
    };
    match std::fs::canonicalize(parent) {
        // No link on the way: the directory is where the walk from the root found it.
        Ok(resolved) if resolved == parent && resolved.starts_with(root) => {}
        // Replaced by a link, or gone, since the listing: left for the next listing.
        Ok(_) => return Ok(false),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    }
    match std::fs::remove_file(file) {
        Ok(()) => Ok(true),
        // Gone meanwhile (a concurrent erasure): not ours to count, and not left over.
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes the directories under and including `dir` that are now empty, then its
/// parents up to (not including) the root while they are empty. Errors are left be: a
/// directory that stays is listed again, and only files count as remaining.
fn prune(root: &Path, dir: &Path) {
    prune_below(dir);
    let mut current = Some(dir);
    while let Some(d) = current.filter(|d| *d != root && d.starts_with(root)) {
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        current = d.parent();
    }
}

fn prune_below(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|k| k.is_dir()) {
            prune_below(&entry.path());
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// The kind of a file system error, without its message (which would name the path).
fn kind(error: &io::Error) -> &'static str {
    match error.kind() {
        io::ErrorKind::PermissionDenied => "permission denied",
        io::ErrorKind::NotFound => "not found",
        _ => "storage error",
    }
}
