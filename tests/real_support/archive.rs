//! Real-repository archives for the tests that audit them (`real_repos`,
//! `secrets_precision`): where they are, and unpacking one once into the
//! target dir.

use ruzstd::decoding::{FrameDecoder, StreamingDecoder};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder of archives named `shared/<name>` in the nearest folder above
/// the repository, or `$<env>` when set.
pub fn shared_dir(env: &str, name: &str) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os(env) {
        return Some(PathBuf::from(dir));
    }
    // Worktrees sit deeper than the main checkout; look in every folder above.
    root()
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("shared").join(name))
        .find(|dir| dir.is_dir())
}

/// Decodes every zstd frame of a stream in turn (`zstd -T` may write several).
struct ZstdFrames<R: BufRead> {
    decoder: Option<StreamingDecoder<R, FrameDecoder>>,
    source: Option<R>,
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(decoder) = &mut self.decoder {
                let n = decoder.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                self.source = self.decoder.take().map(StreamingDecoder::into_inner);
            }
            let Some(source) = &mut self.source else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            let source = self.source.take().expect("checked above");
            self.decoder = Some(StreamingDecoder::new(source).map_err(io::Error::other)?);
        }
    }
}

/// Unpacks `archive` under `cache` once and returns the project folder.
/// A stamp with the archive's size and time tells a stale copy from a good one.
pub fn unpacked(archive: &Path, cache: &Path, stem: &str) -> PathBuf {
    let meta = std::fs::metadata(archive).unwrap();
    let stamp_text = format!("{} {:?}", meta.len(), meta.modified().ok());
    let dest = cache.join(stem);
    let stamp = cache.join(format!("{stem}.stamp"));
    let project = |dest: &Path| {
        let inner = dest.join(stem);
        if inner.is_dir() {
            inner
        } else {
            dest.to_path_buf()
        }
    };
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s == stamp_text) && dest.is_dir() {
        return project(&dest);
    }
    let partial = cache.join(format!("{stem}.partial"));
    for dir in [&partial, &dest] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
    std::fs::create_dir_all(&partial).unwrap();
    let frames = ZstdFrames {
        decoder: None,
        source: Some(BufReader::new(File::open(archive).unwrap())),
    };
    let mut tar = tar::Archive::new(frames);
    // Snapshots may hold read-only files; the cache must stay removable.
    tar.set_preserve_permissions(false);
    tar.unpack(&partial)
        .unwrap_or_else(|e| panic!("unpacking {}: {e}", archive.display()));
    std::fs::rename(&partial, &dest).unwrap();
    std::fs::write(&stamp, stamp_text).unwrap();
    project(&dest)
}
