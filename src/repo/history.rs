//! `--history`: every blob reachable from every ref, searched once for the
//! credentials the secrets checks look for in the working tree.
//!
//! A key committed last year and deleted the next day is still in every
//! clone. The walk reads each commit's tree oldest first and descends only
//! into trees it has not seen, so a blob is found once, through the commit
//! that introduced it, and an unchanged folder costs nothing however many
//! commits share it. The blobs are then read and searched in parallel with
//! the tree scan's plan ([`crate::scan::BlobScanner`]), a path's versions
//! one after another: each is diffed against the version before it and only
//! the lines it adds are searched ([`crate::scan::added_lines`]), as
//! `git log -p` based scanners do; a path's first version is searched whole.
//! A value is reported once per path, at the first commit that added it on
//! a line its pattern's filter accepts.

use super::git;
use crate::scan::{BlobScanner, Classify, ScanPlan};
use gix::ObjectId;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Where the history starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Commits not reachable from this revision (`v1.2.0`, a commit id).
    Rev(String),
    /// Commits made on or after this moment.
    Date(jiff::Timestamp),
}

impl Since {
    /// `--since` takes a date (`2025-01-31`, RFC 3339) or a revision.
    pub fn parse(text: &str) -> Since {
        if let Ok(date) = text.parse::<jiff::civil::Date>()
            && let Ok(zoned) = date.to_zoned(jiff::tz::TimeZone::UTC)
        {
            return Since::Date(zoned.timestamp());
        }
        if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
            return Since::Date(timestamp);
        }
        Since::Rev(text.to_string())
    }
}

#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    pub since: Option<Since>,
    /// Blobs larger than this are not read, as in the tree walk.
    pub max_blob_size: u64,
    /// Threads for reading and searching blobs; 0 picks one per core.
    pub threads: usize,
}

/// One credential found in history, attributed to the oldest commit that
/// added the blob it is in.
#[derive(Clone)]
pub struct HistorySecret {
    /// The check whose pattern found it, and the pattern's name.
    pub check_id: String,
    pub label: String,
    pub path: String,
    pub line: usize,
    pub commit: String,
    pub date: Option<jiff::Timestamp>,
    /// Why the filter kept it, when it judged the context.
    pub detail: Option<String>,
    /// The value itself: compared with the working tree's and masked by
    /// the redactor, never shown.
    pub value: String,
}

impl std::fmt::Debug for HistorySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HistorySecret")
            .field("check_id", &self.check_id)
            .field("label", &self.label)
            .field("path", &self.path)
            .field("line", &self.line)
            .field("commit", &self.commit)
            .finish_non_exhaustive()
    }
}

/// What the history search did and found.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub secrets: Vec<HistorySecret>,
    pub commits: usize,
    /// Distinct blobs a secret pattern applies to by path.
    pub blobs: usize,
    pub blobs_scanned: usize,
    pub bytes_scanned: u64,
    pub skipped_too_large: usize,
    pub duration: Duration,
}

/// A blob to search: where it was first seen, and the version of the same
/// path seen before it, whose lines need not be searched again.
struct Job {
    blob: ObjectId,
    path: String,
    commit: usize,
    base: Option<ObjectId>,
}

/// Searches the history of the repository at `root`.
pub fn search(
    root: &Path,
    plan: &ScanPlan,
    roles: Option<Arc<dyn Classify>>,
    options: &HistoryOptions,
) -> Result<History, String> {
    let started = Instant::now();
    let repo = git::open_checked(root)?;
    if repo.is_shallow().unwrap_or(false) {
        let depth = repo
            .head_id()
            .map(|id| git::reachable_commits(&repo, id.detach()))
            .unwrap_or(0);
        return Err(format!(
            "history not available: shallow clone of depth {depth}"
        ));
    }
    let mut repo = repo;
    with_delta_cache(&mut repo);
    let commits = commits(&repo, options.since.as_ref())?;
    let mut scanner = BlobScanner::new(plan, roles.clone());
    let jobs = blobs(&repo, &commits, &mut scanner)?;
    let mut history = History {
        commits: commits.len(),
        blobs: jobs.len(),
        ..History::default()
    };
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(jobs.len().max(1));
    let hash = repo.object_hash();
    let shared = repo.into_sync();
    let mut packs = super::packs::Packs::open(shared.objects_dir(), hash, PACK_CACHE_BYTES);
    // Jobs are grouped by path: each path's versions, one after another.
    let paths = jobs
        .chunk_by(|a, b| a.path == b.path)
        .map(|versions| versions.iter().map(|job| job.blob).collect());
    if packs.chains_cross_paths(paths) {
        packs.set_cache_bytes(PACK_CACHE_CROSSING_BYTES);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Searched> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let shared = &shared;
                let packs = &packs;
                let jobs = &jobs;
                let next = &next;
                let roles = roles.clone();
                scope.spawn(move || {
                    // No object cache: each blob is read once, and a
                    // version's base is still in `recent`; copying every
                    // blob into a cache cost 2% of a history search.
                    let mut repo = shared.to_thread_local();
                    with_delta_cache(&mut repo);
                    let mut reader = Reader {
                        repo: &repo,
                        packs: super::packs::PackReader::new(packs),
                        scanner: BlobScanner::new(plan, roles),
                        max_blob_size: options.max_blob_size,
                        recent: [None, None],
                        spare: Vec::new(),
                        added: Vec::new(),
                    };
                    let mut searched = Searched::default();
                    // Jobs are handed out in small batches: a path's
                    // versions are neighbours, so each is diffed against
                    // the one just read, and they share delta bases.
                    const BATCH: usize = 64;
                    loop {
                        let start = next.fetch_add(BATCH, std::sync::atomic::Ordering::Relaxed);
                        if start >= jobs.len() {
                            break;
                        }
                        for (index, job) in jobs[start..(start + BATCH).min(jobs.len())]
                            .iter()
                            .enumerate()
                        {
                            reader.search(job, start + index, &mut searched);
                        }
                    }
                    searched
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a history search thread panicked"))
            .collect()
    });
    // Oldest introduction first, so the same value in later versions of
    // the file (or copies of it) is reported once, where it was added.
    let mut hits: Vec<(usize, crate::scan::BlobHit)> = Vec::new();
    for searched in results {
        history.blobs_scanned += searched.scanned;
        history.bytes_scanned += searched.bytes;
        history.skipped_too_large += searched.too_large;
        hits.extend(searched.hits);
    }
    hits.sort_by_key(|(job, hit)| (jobs[*job].commit, *job, hit.line));
    // One finding per value and path, and one per line of a blob, whichever
    // checks' patterns match (a token is both a GitHub token and a
    // `TOKEN = "..."` assignment).
    let mut reported: HashSet<(String, String)> = HashSet::new();
    let mut lines: HashSet<(usize, usize)> = HashSet::new();
    for (index, hit) in hits {
        let job = &jobs[index];
        let pattern = plan.pattern_options(hit.pattern);
        let key = (job.path.clone(), hit.value.clone());
        if !lines.insert((index, hit.line)) || !reported.insert(key) {
            continue;
        }
        let commit = &commits[job.commit];
        history.secrets.push(HistorySecret {
            check_id: pattern.check_id.clone(),
            label: pattern.label.clone(),
            path: job.path.clone(),
            line: hit.line,
            commit: commit.id.to_string(),
            date: jiff::Timestamp::from_second(commit.time).ok(),
            detail: hit.detail,
            value: hit.value,
        });
    }
    history.duration = started.elapsed();
    Ok(history)
}

/// Without a delta-base cache every object is rebuilt from the start of
/// its delta chain (up to 50 objects deep), inflating each link again:
/// reading every version of a file is then quadratic in its history.
fn with_delta_cache(repo: &mut gix::Repository) {
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            DELTA_CACHE_BYTES,
        ))
    });
}

/// gitoxide's delta-base cache, for the objects the pack reader leaves to
/// the object database (trees and commits, loose and alternate objects).
const DELTA_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// The object cache of the commit walk: a few commits are enough.
const COMMIT_CACHE_BYTES: usize = 64 * 1024;

/// The pack reader's cache of decoded entries, one for all reading threads
/// (it was 16 MiB for each before they shared it; docs/performance.md).
const PACK_CACHE_BYTES: usize = 16 * 1024 * 1024;

/// The pack reader's cache when delta chains cross paths (see
/// `Packs::chains_cross_paths`): nearly every decoded entry is needed
/// again, path after path. It fills only as far as the history decodes.
const PACK_CACHE_CROSSING_BYTES: usize = 64 * 1024 * 1024;

#[derive(Default)]
struct Searched {
    hits: Vec<(usize, crate::scan::BlobHit)>,
    scanned: usize,
    bytes: u64,
    too_large: usize,
}

/// One thread's reading and searching of blobs.
struct Reader<'r, 'p> {
    repo: &'r gix::Repository,
    /// Reads what is packed; the object database the rest.
    packs: super::packs::PackReader<'r>,
    scanner: BlobScanner<'p>,
    max_blob_size: u64,
    /// The last blobs read, a version and its base: the next job is the
    /// version after this one or before it.
    recent: [Option<(ObjectId, Vec<u8>)>; 2],
    /// Buffers of blobs no longer needed, decoded into again: gitoxide
    /// zero-fills a buffer up to the object's size before writing it, and
    /// a reused buffer is already that long or nearly (4% of a history
    /// search went to filling fresh ones).
    spare: Vec<Vec<u8>>,
    added: Vec<(usize, usize)>,
}

impl Reader<'_, '_> {
    /// Searches the lines `job`'s blob adds to the version before it, or
    /// all of it when it is the first version of its path (or the earlier
    /// one cannot be read).
    fn search(&mut self, job: &Job, index: usize, searched: &mut Searched) {
        let Some(data) = self.content(job.blob, searched) else {
            return;
        };
        searched.scanned += 1;
        searched.bytes += data.len() as u64;
        // Not counted: a base is counted as the job it is.
        let base = job
            .base
            .filter(|_| !crate::scan::is_binary(&data))
            .and_then(|id| Some((id, self.content(id, &mut Searched::default())?)));
        let added = match &base {
            Some((_, base)) => {
                crate::scan::added_lines(base, &data, &mut self.added);
                Some(self.added.as_slice())
            }
            None => None,
        };
        for hit in self.scanner.scan(&job.path, &data, added) {
            searched.hits.push((index, hit));
        }
        self.keep(job.blob, data);
        if let Some((id, base)) = base {
            self.keep(id, base);
        }
    }

    fn content(&mut self, blob: ObjectId, searched: &mut Searched) -> Option<Vec<u8>> {
        for slot in &mut self.recent {
            if slot.as_ref().is_some_and(|(id, _)| *id == blob) {
                return slot.take().map(|(_, data)| data);
            }
        }
        self.read(blob, searched)
    }

    fn keep(&mut self, blob: ObjectId, data: Vec<u8>) {
        if let Some((_, old)) = self.recent[1].take() {
            self.spare.push(old);
        }
        self.recent.rotate_right(1);
        self.recent[0] = Some((blob, data));
    }

    /// A blob's content, unless it is larger than the limit or unreadable.
    fn read(&mut self, blob: ObjectId, searched: &mut Searched) -> Option<Vec<u8>> {
        use super::packs::Read;
        use gix::prelude::Find;
        let mut buffer = self.spare.pop().unwrap_or_default();
        match self.packs.read(&blob, self.max_blob_size, &mut buffer) {
            Read::Found => return Some(buffer),
            Read::TooLarge => {
                searched.too_large += 1;
                self.spare.push(buffer);
                return None;
            }
            Read::Elsewhere => self.spare.push(buffer),
        }
        if let Ok(header) = self.repo.find_header(blob)
            && header.size() > self.max_blob_size
        {
            searched.too_large += 1;
            return None;
        }
        let mut buffer = self.spare.pop().unwrap_or_default();
        // Where in the buffer the object is (at its start when decoded
        // from a pack, but the odb does not promise it).
        let found = match self.repo.objects.try_find(&blob, &mut buffer) {
            Ok(Some(data)) => Some((data.data.as_ptr() as usize, data.data.len())),
            _ => None,
        };
        let Some((at, len)) = found else {
            self.spare.push(buffer);
            return None;
        };
        if len == 0 {
            buffer.clear();
        } else {
            let start = at - buffer.as_ptr() as usize;
            buffer.copy_within(start..start + len, 0);
            buffer.truncate(len);
        }
        Some(buffer)
    }
}

struct Commit {
    id: ObjectId,
    tree: ObjectId,
    time: i64,
}

/// Every commit reachable from a ref (or HEAD), oldest first, limited by
/// `since`.
fn commits(repo: &gix::Repository, since: Option<&Since>) -> Result<Vec<Commit>, String> {
    let mut tips: Vec<ObjectId> = Vec::new();
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    let refs = repo.references().map_err(|e| e.to_string())?;
    for reference in refs.all().map_err(|e| e.to_string())?.flatten() {
        let mut reference = reference;
        if let Ok(commit) = reference.peel_to_commit() {
            tips.push(commit.id);
        }
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    // The walk decodes each commit for its parents, and reading its tree
    // and time below decoded it again (6% of the generated benchmark
    // repository's instructions): with a small object cache the second
    // read is a copy of the commit just walked.
    let mut repo = repo.clone();
    repo.object_cache_size(COMMIT_CACHE_BYTES);
    let mut walk = repo.rev_walk(tips);
    match since {
        Some(Since::Rev(rev)) => {
            let hidden = repo
                .rev_parse_single(rev.as_str())
                .map_err(|e| format!("--since `{rev}`: {e}"))?
                .object()
                .map_err(|e| format!("--since `{rev}`: {e}"))?
                .peel_to_commit()
                .map_err(|e| format!("--since `{rev}` is not a commit: {e}"))?
                .id;
            walk = walk.with_hidden([hidden]);
        }
        Some(Since::Date(date)) => {
            walk = walk.sorting(gix::revision::walk::Sorting::ByCommitTimeCutoff {
                order: gix::traverse::commit::simple::CommitTimeOrder::NewestFirst,
                seconds: date.as_second(),
            });
        }
        None => {}
    }
    let mut commits = Vec::new();
    for info in walk.all().map_err(|e| e.to_string())? {
        let info = info.map_err(|e| e.to_string())?;
        let commit = info.object().map_err(|e| e.to_string())?;
        let tree = commit.tree_id().map_err(|e| e.to_string())?.detach();
        let time = commit.time().map(|t| t.seconds).unwrap_or(0);
        commits.push(Commit {
            id: info.id,
            tree,
            time,
        });
    }
    // Oldest first, so the first commit to reach a blob introduced it.
    commits.sort_by_key(|c| c.time);
    Ok(commits)
}

/// The blobs of every commit's tree that a secret pattern applies to, each
/// once, with the path and commit it was first seen at.
fn blobs(
    repo: &gix::Repository,
    commits: &[Commit],
    scanner: &mut BlobScanner<'_>,
) -> Result<Vec<Job>, String> {
    use gix::objs::TreeRefIter;
    let hash = repo.object_hash();
    // Object ids are hashes already: their first bytes are the key's hash.
    let mut seen_trees: gix::hashtable::HashSet<ObjectId> = Default::default();
    let mut seen_blobs: gix::hashtable::HashSet<ObjectId> = Default::default();
    let mut jobs: Vec<Job> = Vec::new();
    // Per path: whether secret patterns apply to it (most paths recur in
    // many commits' changed folders), the blob it held last, and where its
    // versions are in `groups`.
    let mut paths: HashMap<String, PathState> = HashMap::new();
    let mut groups: Vec<Vec<Job>> = Vec::new();
    // Each folder's tree as last visited, when its names are in order and
    // valid UTF-8: a new tree's entries found in it unchanged need nothing
    // (see `Folders`).
    let mut folders = Folders::default();
    let mut data: Vec<u8> = Vec::new();
    let mut path = String::new();
    for (index, commit) in commits.iter().enumerate() {
        let mut stack = vec![(commit.tree, String::new())];
        while let Some((tree, prefix)) = stack.pop() {
            if !seen_trees.insert(tree) {
                continue;
            }
            let Ok(mut found) = repo.find_tree(tree) else {
                continue;
            };
            std::mem::swap(&mut data, &mut found.data);
            drop(found);
            // Only the entries between those the folder's last tree
            // has unchanged at its start and end.
            let (changed, well_formed) = folders.changed(&prefix, &data, hash.len_in_bytes());
            for entry in TreeRefIter::from_bytes(&data[changed], hash) {
                let Ok(entry) = entry else { continue };
                path.clear();
                if !prefix.is_empty() {
                    path.push_str(&prefix);
                    path.push('/');
                }
                match std::str::from_utf8(entry.filename) {
                    Ok(name) => path.push_str(name),
                    Err(_) => path.push_str(&entry.filename.to_string()),
                }
                let mode = entry.mode;
                if mode.is_tree() {
                    stack.push((entry.oid.to_owned(), path.clone()));
                } else if mode.is_blob() {
                    let blob = entry.oid.to_owned();
                    let state = match paths.get_mut(path.as_str()) {
                        Some(state) => state,
                        None => {
                            let state = PathState {
                                wanted: scanner.wants(&path),
                                last: None,
                                group: None,
                            };
                            paths.entry(path.clone()).or_insert(state)
                        }
                    };
                    if !state.wanted {
                        continue;
                    }
                    let base = state.last.replace(blob);
                    if !seen_blobs.insert(blob) {
                        continue;
                    }
                    let group = *state.group.get_or_insert_with(|| {
                        groups.push(Vec::new());
                        groups.len() - 1
                    });
                    groups[group].push(Job {
                        blob,
                        path: path.clone(),
                        commit: index,
                        base,
                    });
                }
            }
            folders.visited(prefix, &mut data, well_formed);
        }
    }
    // A path's versions one after another, each after its base.
    jobs.extend(groups.into_iter().flatten());
    Ok(jobs)
}

/// The tree each folder (path prefix) held when last visited.
///
/// A path's state (the blob it held last) changes only when a tree at its
/// folder is visited, so after a visit every entry of that tree is what its
/// path holds; in the next new tree at the folder, an entry equal to one of
/// the last (same name, mode and id) would only set what is already set,
/// and is skipped: most entries of a changed folder are unchanged, and
/// those at its start and end are found by comparing bytes. Kept and used
/// only for trees whose names are strictly in git's order and valid UTF-8:
/// two names that decode to one path (or a name twice) would make the last
/// one's entry, not each one's, what the path holds.
#[derive(Default)]
struct Folders {
    /// Each folder's last tree, and where its entries end.
    last: HashMap<String, (Vec<u8>, Vec<usize>)>,
    /// Where the new tree's entries end.
    new_ends: Vec<usize>,
}

impl Folders {
    /// The part of `tree`, the new tree at `folder`, to read: all of it but
    /// the entries that the folder's last tree has, the same, at the same
    /// place from its start or from its end; and whether `tree` is well
    /// formed.
    fn changed(&mut self, folder: &str, tree: &[u8], hash_len: usize) -> (Range<usize>, bool) {
        if let Some(middle) = self.changed_middle(folder, tree, hash_len) {
            return (middle, true);
        }
        if !split_tree(tree, hash_len, &mut self.new_ends) {
            return (0..tree.len(), false);
        }
        let Some((last, last_ends)) = self.last.get(folder) else {
            return (0..tree.len(), true);
        };
        let new_ends = &self.new_ends;
        let start = |ends: &[usize], i: usize| if i == 0 { 0 } else { ends[i - 1] };
        let same = |i: usize, j: usize| {
            last[start(last_ends, i)..last_ends[i]] == tree[start(new_ends, j)..new_ends[j]]
        };
        let common = last_ends.len().min(new_ends.len());
        let mut front = 0;
        while front < common && same(front, front) {
            front += 1;
        }
        let mut back = 0;
        while back < common - front && same(last_ends.len() - 1 - back, new_ends.len() - 1 - back) {
            back += 1;
        }
        (
            start(new_ends, front)..start(new_ends, new_ends.len() - back),
            true,
        )
    }

    /// [`Self::changed`] without splitting and checking the entries the
    /// new tree shares with the folder's last: the bytes both have at
    /// their start and at their end hold whole entries of the last tree
    /// (parsed and checked when it was new), so only the entries between
    /// are split and checked, and their order against their neighbours.
    /// Splitting every entry of every new tree was 6% of the generated
    /// benchmark repository's instructions, for one or two changed
    /// entries a tree. `None` when the folder has no last tree or the
    /// middle does not split into whole, well-formed entries: the whole
    /// tree is then split as before.
    fn changed_middle(
        &mut self,
        folder: &str,
        tree: &[u8],
        hash_len: usize,
    ) -> Option<Range<usize>> {
        let (last, last_ends) = self.last.get(folder)?;
        let start = |i: usize| if i == 0 { 0 } else { last_ends[i - 1] };
        let prefix = crate::scan::common_prefix(last, tree);
        let front = last_ends.partition_point(|&end| end <= prefix);
        let front_end = start(front);
        let suffix = crate::scan::common_suffix(&last[front_end..], &tree[front_end..]);
        // The first entry of the last tree wholly inside the common end.
        let back_from = (front..last_ends.len())
            .find(|&i| start(i) >= last.len() - suffix)
            .unwrap_or(last_ends.len());
        let back_start = tree.len() - (last.len() - start(back_from));
        if back_start < front_end {
            return None;
        }
        let mut middle = Vec::new();
        let previous = match front {
            0 => None,
            _ => Some(entry_name(&last[start(front - 1)..last_ends[front - 1]])?),
        };
        let before_back = split_entries(
            &tree[front_end..back_start],
            hash_len,
            previous,
            &mut middle,
        )?;
        if back_from < last_ends.len()
            && let Some((name, is_tree)) = before_back
        {
            let (next, next_is_tree) = entry_name(&last[start(back_from)..last_ends[back_from]])?;
            if gix::objs::tree::name_order(name, is_tree, next, next_is_tree)
                != std::cmp::Ordering::Less
            {
                return None;
            }
        }
        self.new_ends.clear();
        self.new_ends.extend_from_slice(&last_ends[..front]);
        self.new_ends
            .extend(middle.iter().map(|end| front_end + end));
        self.new_ends.extend(
            last_ends[back_from..]
                .iter()
                .map(|end| end + tree.len() - last.len()),
        );
        Some(front_end..back_start)
    }

    /// Keeps `tree` as the folder's last (taking its buffer, replaced by
    /// the one it displaces), or forgets the folder's when `tree` is not
    /// well formed.
    fn visited(&mut self, folder: String, tree: &mut Vec<u8>, well_formed: bool) {
        let old = if well_formed {
            let ends = self.new_ends.clone();
            self.last.insert(folder, (std::mem::take(tree), ends))
        } else {
            self.last.remove(&folder)
        };
        if let Some((old, _)) = old {
            *tree = old;
        }
    }
}

/// Where the entries of a tree object (`<mode> <name>\0<id>` each) end,
/// into `ends`; whether all of them parse as gitoxide parses them, with
/// names that are valid UTF-8 and strictly in git's order.
fn split_tree(tree: &[u8], hash_len: usize, ends: &mut Vec<usize>) -> bool {
    ends.clear();
    split_entries(tree, hash_len, None, ends).is_some()
}

/// The name of the one entry `entry` holds, and whether it is a tree.
fn entry_name(entry: &[u8]) -> Option<(&[u8], bool)> {
    let mode = gix::objs::tree::EntryMode::from_bytes(entry)?;
    let space = memchr::memchr(b' ', &entry[..entry.len().min(8)])?;
    let after = &entry[space + 1..];
    let nul = memchr::memchr(0, after)?;
    Some((&after[..nul], mode.is_tree()))
}

/// [`split_tree`] of a run of entries that follows the entry named
/// `previous`: appends where each ends; `None` when one does not parse or
/// is out of order, else the last one's name (`previous` when there is
/// none).
fn split_entries<'a>(
    tree: &'a [u8],
    hash_len: usize,
    previous: Option<(&'a [u8], bool)>,
    ends: &mut Vec<usize>,
) -> Option<Option<(&'a [u8], bool)>> {
    use gix::objs::tree::{EntryMode, name_order};
    let mut rest = tree;
    let mut previous = previous;
    while !rest.is_empty() {
        let mode = EntryMode::from_bytes(rest)?;
        // (The mode's digits end at the first space, at most 7 bytes in.)
        let space = memchr::memchr(b' ', &rest[..rest.len().min(8)])?;
        let after = &rest[space + 1..];
        let nul = memchr::memchr(0, after)?;
        let name = &after[..nul];
        let next = after.get(nul + 1 + hash_len..)?;
        let is_tree = mode.is_tree();
        if std::str::from_utf8(name).is_err()
            || previous.is_some_and(|(last, last_is_tree)| {
                name_order(last, last_is_tree, name, is_tree) != std::cmp::Ordering::Less
            })
        {
            return None;
        }
        previous = Some((name, is_tree));
        rest = next;
        ends.push(tree.len() - rest.len());
    }
    Some(previous)
}

struct PathState {
    wanted: bool,
    /// The blob the path held when last seen.
    last: Option<ObjectId>,
    /// Its versions' group, once it has one.
    group: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::packs::tests::{git, xorshift};
    use crate::scan::{PatternOptions, PlanBuilder, SelectorSpec};
    use std::process::Command;

    /// A new tree is read from its first changed entry to its last, and
    /// whole (as not well formed) when its names are out of order where
    /// the changed entries meet those it shares with the folder's last
    /// tree, which the comparison of bytes alone would not see.
    #[test]
    fn only_the_changed_entries_are_read_and_their_order_is_checked() {
        let entry = |name: &str, id: u8| {
            let mut bytes = format!("100644 {name}\0").into_bytes();
            bytes.extend([id; 20]);
            bytes
        };
        let tree = |entries: &[(&str, u8)]| -> Vec<u8> {
            entries.iter().flat_map(|(n, i)| entry(n, *i)).collect()
        };
        let mut folders = Folders::default();
        let mut last = tree(&[("a", 1), ("c", 2), ("d", 3)]);
        let (range, well_formed) = folders.changed("f", &last, 20);
        assert_eq!((range, well_formed), (0..last.len(), true));
        folders.visited("f".to_string(), &mut last, true);
        let new = tree(&[("a", 1), ("b", 9), ("c", 2), ("d", 3)]);
        let (range, well_formed) = folders.changed("f", &new, 20);
        assert!(well_formed);
        assert_eq!(new[range], entry("b", 9));
        let changed = tree(&[("a", 1), ("c", 7), ("d", 3)]);
        let (range, _) = folders.changed("f", &changed, 20);
        assert_eq!(changed[range], entry("c", 7));
        for bad in [
            tree(&[("a", 1), ("x", 9), ("c", 2), ("d", 3)]),
            tree(&[("a", 1), ("c", 2), ("b", 9), ("d", 3)]),
            tree(&[("a", 1), ("c", 2), ("c", 9), ("d", 3)]),
        ] {
            assert_eq!(folders.changed("f", &bad, 20), (0..bad.len(), false));
        }
    }

    /// The walk before `Folders`: every entry of every new tree, its path
    /// built and looked up.
    fn every_entry(
        repo: &gix::Repository,
        commits: &[Commit],
    ) -> Vec<(ObjectId, String, usize, Option<ObjectId>)> {
        let mut seen_trees = HashSet::new();
        let mut seen_blobs = HashSet::new();
        let mut last: HashMap<String, ObjectId> = HashMap::new();
        let mut groups: Vec<(String, Vec<_>)> = Vec::new();
        for (index, commit) in commits.iter().enumerate() {
            let mut stack = vec![(commit.tree, String::new())];
            while let Some((tree, prefix)) = stack.pop() {
                if !seen_trees.insert(tree) {
                    continue;
                }
                let Ok(tree) = repo.find_tree(tree) else {
                    continue;
                };
                for entry in tree.iter() {
                    let Ok(entry) = entry else { continue };
                    let name = entry.filename().to_string();
                    let path = if prefix.is_empty() {
                        name
                    } else {
                        format!("{prefix}/{name}")
                    };
                    if entry.mode().is_tree() {
                        stack.push((entry.oid().to_owned(), path));
                    } else if entry.mode().is_blob() {
                        let blob = entry.oid().to_owned();
                        let base = last.insert(path.clone(), blob);
                        if !seen_blobs.insert(blob) {
                            continue;
                        }
                        let job = (blob, path.clone(), index, base);
                        match groups.iter_mut().find(|(p, _)| *p == path) {
                            Some((_, jobs)) => jobs.push(job),
                            None => groups.push((path, vec![job])),
                        }
                    }
                }
            }
        }
        groups.into_iter().flat_map(|(_, jobs)| jobs).collect()
    }

    /// Skipping the entries a folder's new tree shares with its last finds
    /// the same blobs, paths, commits and bases as reading every entry:
    /// over random edits in nested folders on two branches (files added,
    /// changed, deleted and added again, folders emptied, one blob under
    /// several paths), with names that decode to one path and a tree whose
    /// entries are out of order, which are read whole.
    #[test]
    fn skipping_unchanged_entries_changes_no_job() {
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("git is not installed: skipped");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"], None);
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        // "x\377" and "x\357\277\275" (U+FFFD) are one path once decoded.
        let names = [
            "a.py",
            "b.py",
            "c",
            "d/e.py",
            "d/f.py",
            "d/g/h.py",
            "d/g/i",
            "j/k.py",
            "x\\377",
            "x\\357\\277\\275",
            "d/g-",
            "d/g.txt",
        ];
        // First the two names that decode alike, then only the first (in
        // git's order) changed, twice: its base is the second's blob each
        // time, the last one given to the path, which a skipped second
        // entry would not have set again.
        let mut stream = Vec::new();
        for (commit, files) in [
            [("x\\377", "one"), ("x\\357\\277\\275", "two")].as_slice(),
            &[("x\\357\\277\\275", "three")],
            &[("x\\357\\277\\275", "four")],
        ]
        .iter()
        .enumerate()
        {
            stream.extend(
                format!("commit refs/heads/main\ncommitter A <a@example.com> {commit} +0000\ndata 1\nc\n")
                    .bytes(),
            );
            for (name, text) in *files {
                stream.extend(
                    format!("M 100644 inline \"{name}\"\ndata {}\n{text}\n", text.len()).bytes(),
                );
            }
            stream.push(b'\n');
        }
        for commit in 0..120u64 {
            let branch = if commit % 5 == 4 { "side" } else { "main" };
            stream.extend(
                format!(
                    "commit refs/heads/{branch}\ncommitter A <a@example.com> {} +0000\ndata 1\nc\n",
                    1_600_000_000 + commit * 60
                )
                .bytes(),
            );
            if commit == 4 {
                stream.extend(b"from refs/heads/main\n");
            }
            for _ in 0..1 + next() % 3 {
                let name = names[(next() % names.len() as u64) as usize];
                match next() % 5 {
                    0 => stream.extend(format!("D \"{name}\"\n").bytes()),
                    // A few contents only: one blob under several paths,
                    // and a path given a content it had before.
                    _ => {
                        let text = format!("value {}\n", next() % 200);
                        stream.extend(
                            format!("M 100644 inline \"{name}\"\ndata {}\n{text}\n", text.len())
                                .bytes(),
                        );
                    }
                }
            }
            stream.push(b'\n');
        }
        git(root, &["fast-import", "--quiet"], Some(&stream));
        // A tree with a name twice and out of order, committed on top.
        let blob = |text: &str| {
            let id = git(
                root,
                &["hash-object", "-w", "--stdin"],
                Some(text.as_bytes()),
            );
            gix::ObjectId::from_hex(String::from_utf8(id).unwrap().trim().as_bytes()).unwrap()
        };
        let mut tree = Vec::new();
        for (name, id) in [
            ("b.py", blob("one\n")),
            ("a.py", blob("two\n")),
            ("b.py", blob("three\n")),
        ] {
            tree.extend(format!("100644 {name}\0").bytes());
            tree.extend(id.as_bytes());
        }
        let tree = git(
            root,
            &["hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
            Some(&tree),
        );
        let tree = String::from_utf8(tree).unwrap();
        let parent = String::from_utf8(git(root, &["rev-parse", "main"], None)).unwrap();
        let commit = git(
            root,
            &[
                "commit-tree",
                tree.trim(),
                "-p",
                parent.trim(),
                "-m",
                "unordered",
            ],
            None,
        );
        let commit = String::from_utf8(commit).unwrap();
        git(
            root,
            &["update-ref", "refs/heads/main", commit.trim()],
            None,
        );

        let repo = gix::open(root).unwrap();
        let commits = commits(&repo, None).unwrap();
        assert_eq!(commits.len(), 124);
        let mut plan = PlanBuilder::new();
        let selector = plan.selector(SelectorSpec::from_strs(&[], &[]));
        let mut options = PatternOptions::new("test.pattern");
        options.secret = true;
        plan.pattern(selector, "secret", options);
        let plan = plan.build().unwrap();
        let mut scanner = BlobScanner::new(&plan, None);
        let jobs: Vec<_> = blobs(&repo, &commits, &mut scanner)
            .unwrap()
            .into_iter()
            .map(|job| (job.blob, job.path, job.commit, job.base))
            .collect();
        let expected = every_entry(&repo, &commits);
        assert!(expected.len() > 100, "{}", expected.len());
        assert!(
            expected
                .iter()
                .any(|(_, path, _, _)| path.contains('\u{fffd}'))
        );
        assert_eq!(jobs, expected);
    }
}
