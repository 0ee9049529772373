//! Reading the files readyctl loads rather than audits: check packs and
//! `readyctl.toml`.
//!
//! Those found inside the audited repository (`.readyctl/checks/`, its
//! `readyctl.toml`) are written by whoever opened the pull request. Left to
//! the plain `std::fs` calls, a symbolic link to `/proc/self/environ` made
//! the audit read CI's environment and quote it in a parse error, a FIFO
//! blocked it forever and `/dev/zero` grew it without bound. Here:
//!
//! - a repository file is read only if its canonical path (every link
//!   resolved, without opening anything) is inside the canonical audited
//!   root, and the file opened is the one that was checked;
//! - only regular files are opened, never blocking, and read up to a cap;
//! - the text must be UTF-8 without NUL bytes, and when it is not, the error
//!   says where (file:line:column) without quoting it.
//!
//! Files the user names on the command line (`--checks DIR`, `--config FILE`)
//! are trusted as to where they lead, but get the same caps.

use crate::diagnostic::Position;
use std::fmt;
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest check pack read: far above any real pack (the built-in ones are
/// under 100 KiB together), far below what hurts.
pub const MAX_PACK_BYTES: u64 = 4 * 1024 * 1024;
/// Largest `readyctl.toml` read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Where a file may lead.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Named by the user: followed wherever it points.
    Given,
    /// Found in the audited repository: must resolve inside this canonical
    /// root (see [`canonical_root`]).
    Inside(&'a Path),
}

/// The root as [`Scope::Inside`] wants it: absolute, every link resolved.
pub fn canonical_root(root: &Path) -> std::io::Result<PathBuf> {
    std::fs::canonicalize(root)
}

#[derive(Debug)]
pub enum ReadError {
    /// Resolves outside the audited folder; nothing was opened.
    Outside {
        path: PathBuf,
    },
    /// A FIFO, a device, a socket or a directory.
    NotRegular {
        path: PathBuf,
        kind: &'static str,
    },
    TooLarge {
        path: PathBuf,
        limit: u64,
    },
    /// Contains a NUL byte: a binary file.
    Binary {
        path: PathBuf,
        at: Position,
    },
    NotUtf8 {
        path: PathBuf,
        at: Position,
    },
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReadError {
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Outside { path }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Binary { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = |path: &Path| crate::escape::control(&path.display().to_string()).into_owned();
        match self {
            ReadError::Outside { path } => write!(
                f,
                "`{}` is a symbolic link that leads outside the audited folder; it was not read (files in the repository may only point inside it)",
                shown(path)
            ),
            ReadError::NotRegular { path, kind } => write!(
                f,
                "`{}` is {kind}, not a regular file; it was not read",
                shown(path)
            ),
            ReadError::TooLarge { path, limit } => write!(
                f,
                "`{}` is larger than {}; it was not read (split it into smaller files)",
                shown(path),
                crate::user_file::human_bytes(*limit)
            ),
            ReadError::Binary { path, at } => write!(
                f,
                "{}:{}:{}: a NUL byte: this is a binary file, not text",
                shown(path),
                at.line,
                at.column
            ),
            ReadError::NotUtf8 { path, at } => write!(
                f,
                "{}:{}:{}: not valid UTF-8; save the file as UTF-8 text",
                shown(path),
                at.line,
                at.column
            ),
            ReadError::Io { path, source } => {
                write!(f, "cannot read `{}`: {source}", shown(path))
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// `1 MiB`, `4 MiB`, `512 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const KIB: u64 = 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads `path` as UTF-8 text of at most `limit` bytes.
pub fn read_text(path: &Path, scope: Scope<'_>, limit: u64) -> Result<String, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Resolve first and decide before anything is opened: opening a FIFO
    // blocks, opening /proc files can have effects.
    let (target, checked) = match scope {
        Scope::Given => (path.to_path_buf(), std::fs::metadata(path).map_err(io)?),
        Scope::Inside(root) => {
            let resolved = contained(path, root)?;
            let meta = std::fs::symlink_metadata(&resolved).map_err(io)?;
            (resolved, meta)
        }
    };
    if let Some(kind) = not_regular(&checked) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    if checked.len() > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    let file = open(&target, matches!(scope, Scope::Inside(_))).map_err(io)?;
    let opened = file.metadata().map_err(io)?;
    // Swapped between the check and the open: refuse rather than guess.
    if not_regular(&opened).is_some() || !same_file(&checked, &opened) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind: "a file that changed while it was being opened",
        });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    into_text(path, bytes)
}

/// The text of `bytes`, or where it stops being text.
pub fn into_text(path: &Path, bytes: Vec<u8>) -> Result<String, ReadError> {
    let nul = memchr::memchr(0, &bytes);
    let invalid = std::str::from_utf8(&bytes).err().map(|e| e.valid_up_to());
    match (nul, invalid) {
        (Some(n), i) if i.is_none_or(|i| n < i) => Err(ReadError::Binary {
            path: path.to_path_buf(),
            at: position_of(&bytes, n),
        }),
        (_, Some(i)) => Err(ReadError::NotUtf8 {
            path: path.to_path_buf(),
            at: position_of(&bytes, i),
        }),
        _ => String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            path: path.to_path_buf(),
            at: position_of(e.as_bytes(), e.utf8_error().valid_up_to()),
        }),
    }
}

/// Line and column of byte `offset`; the bytes before it may be anything.
fn position_of(bytes: &[u8], offset: usize) -> Position {
    let before = &bytes[..offset.min(bytes.len())];
    Position::from_offset(&String::from_utf8_lossy(before), usize::MAX)
}

/// `path` with every link resolved, when that stays inside `root`.
pub fn contained(path: &Path, root: &Path) -> Result<PathBuf, ReadError> {
    let resolved = std::fs::canonicalize(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if resolved.starts_with(root) {
        Ok(resolved)
    } else {
        Err(ReadError::Outside {
            path: path.to_path_buf(),
        })
    }
}

fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.len() == b.len()
}

/// Opens without blocking (a FIFO swapped in after the check) and, for a
/// path already resolved, without following a link swapped in either.
#[cfg(unix)]
pub(crate) fn open(path: &Path, no_follow: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK;
    if no_follow {
        flags |= libc::O_NOFOLLOW;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(unix))]
pub(crate) fn open(path: &Path, _no_follow: bool) -> std::io::Result<File> {
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_errors_say_where_without_quoting() {
        let path = Path::new("p.yaml");
        let err = into_text(path, b"a: 1\nb: \xff\xfe secret\n".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.yaml:2:4: not valid UTF-8; save the file as UTF-8 text"
        );
        let err = into_text(path, b"ok\n\0TOKEN=x".to_vec()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.yaml:2:1: a NUL byte: this is a binary file, not text"
        );
        assert!(!err.to_string().contains("TOKEN"));
        assert_eq!(into_text(path, b"fine".to_vec()).unwrap(), "fine");
    }

    #[test]
    fn sizes_read_as_words() {
        assert_eq!(human_bytes(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(10), "10 bytes");
    }
}
