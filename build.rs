//! Records which commit of readyctl this binary was built from, so that
//! `readyctl init --ci github` can pin the readyctl Action to a commit SHA
//! (a tag can be moved; a SHA cannot). The release workflow sets
//! `READYCTL_RELEASE_COMMIT`; otherwise the commit is read from the
//! repository's own files (no `git` is run). Built from a source archive
//! without `.git`, the commit is unknown and `init` says so.
//!
//! It also converts the built-in check packs to JSON (`build/catalogue.rs`).

#[path = "build/catalogue.rs"]
mod catalogue;

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    if let (Some(manifest), Some(out_dir)) = (
        std::env::var_os("CARGO_MANIFEST_DIR"),
        std::env::var_os("OUT_DIR"),
    ) {
        catalogue::write(Path::new(&manifest), Path::new(&out_dir));
    }
    println!("cargo:rerun-if-env-changed=READYCTL_RELEASE_COMMIT");
    let commit = std::env::var("READYCTL_RELEASE_COMMIT")
        .ok()
        .filter(|c| is_sha(c))
        .or_else(head_commit);
    if let Some(commit) = commit {
        println!("cargo:rustc-env=READYCTL_COMMIT={commit}");
    }
}

fn is_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// HEAD's commit, following one symbolic ref, loose or packed.
fn head_commit() -> Option<String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let dot_git = manifest.join(".git");
    // A worktree's `.git` is a file naming its git directory.
    let git_dir = if dot_git.is_file() {
        let text = fs::read_to_string(&dot_git).ok()?;
        let dir = PathBuf::from(text.strip_prefix("gitdir:")?.trim());
        if dir.is_absolute() {
            dir
        } else {
            manifest.join(dir)
        }
    } else {
        dot_git
    };
    let common = match fs::read_to_string(git_dir.join("commondir")) {
        Ok(text) => git_dir.join(text.trim()),
        Err(_) => git_dir.clone(),
    };
    watch(&git_dir.join("HEAD"));
    watch(&common.join("packed-refs"));
    // A new commit rewrites a loose ref, possibly one that did not exist.
    watch(&common.join("refs/heads"));
    let head = fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return is_sha(head).then(|| head.to_string());
    };
    for dir in [&git_dir, &common] {
        let loose = dir.join(reference);
        if let Ok(text) = fs::read_to_string(&loose) {
            let sha = text.trim();
            return is_sha(sha).then(|| sha.to_string());
        }
    }
    let packed = fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (sha, name) = line.split_once(' ')?;
        (name == reference && is_sha(sha)).then(|| sha.to_string())
    })
}

/// Cargo treats a missing path as always changed, which would rebuild the
/// crate on every build: only existing paths are watched.
fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
