//! Listing a prefix of the directory with `std::fs`: from the root down to the prefix's
//! directory, then everything under it; a symbolic link anywhere on the way is counted,
//! never followed.

use std::io;
use std::path::{Path, PathBuf};

/// The files under a prefix, and the symbolic links met on the way.
#[derive(Debug, Default)]
pub struct Listing {
    /// The prefix's directory, when it is one (reached without crossing a link).
    pub dir: Option<PathBuf>,
    pub files: Vec<PathBuf>,
    pub links: u64,
}

pub fn listing(root: &Path, parts: &[String]) -> io::Result<Listing> {
    let mut found = Listing::default();
    let mut dir = root.to_owned();
    for part in parts {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_symlink() => {
                found.links = 1;
                return Ok(found);
            }
            Ok(meta) if meta.is_dir() => {}
            // A file named like the prefix is not under it; nothing there is nothing.
            Ok(_) => return Ok(found),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
            Err(e) => return Err(e),
        }
    }
    walk(&dir, &mut found)?;
    found.dir = Some(dir);
    Ok(found)
}

/// Every entry under `dir`, recursively; links are counted, never followed.
fn walk(dir: &Path, found: &mut Listing) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        entries => entries?,
    };
    for entry in entries {
        let entry = entry?;
        // The entry's own type: `file_type` does not follow a link.
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            found.links += 1;
        } else if kind.is_dir() {
            walk(&entry.path(), found)?;
        } else {
            found.files.push(entry.path());
        }
    }
    Ok(())
}
