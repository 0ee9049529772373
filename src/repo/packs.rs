//! Reading the blobs of `--history` straight from the repository's packs,
//! each delta chain decoded from its base up with every step kept.
//!
//! A packed blob is usually a delta on another object, itself a delta, up
//! to 50 deep. gitoxide's object database decodes a blob by walking its
//! chain down to a full object or to one in its cache, and caches only the
//! blob it was asked for; the history reads a path's versions oldest first,
//! which is rarely the order of the chain (git packs the newest version
//! whole, `git fast-import` chains each blob to the one written before it,
//! whatever its path), so most reads walked and inflated the same links
//! again: 54,000 deltas applied for 6,752 blobs on the generated benchmark
//! repository, half of its instructions in zlib. Here the chain's entries
//! are decoded from the bottom up, each kept in a per-reader cache (as git
//! keeps the bases it unpacks), so a link is inflated once while it stays
//! cached. gitoxide inflates the entries; the deltas are applied here,
//! into buffers that are reused and not zero-filled first (gitoxide's
//! decoder fills two of them for every delta). An object this reader
//! cannot place (a loose object, an alternate's, a base outside its pack)
//! or decode is left to the object database.

use gix::odb::pack::{self, data};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The repository's pack files, opened once and shared by the readers, and
/// the decoded chain entries they keep.
pub struct Packs {
    bundles: Vec<pack::Bundle>,
    /// One cache for all readers: a chain is decoded once whichever thread
    /// reads its blobs. Paths, not chains, are what the readers share out,
    /// and `git fast-import` chains each blob to the one written before it
    /// whatever its path, so with a cache per reader every reader decoded
    /// most chains (18,305 inflates for 6,834 reads on the generated
    /// benchmark repository with two).
    cache: Mutex<Bases>,
}

impl Packs {
    /// The packs in `objects/pack` of `objects_dir`, with a cache of up to
    /// `cache_bytes` of decoded entries; none when it cannot be read (every
    /// read then goes to the object database).
    pub fn open(objects_dir: &Path, hash: gix::hash::Kind, cache_bytes: usize) -> Packs {
        let mut indexes: Vec<_> = std::fs::read_dir(objects_dir.join("pack"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
            .collect();
        indexes.sort();
        let bundles = indexes
            .iter()
            .filter_map(|path| pack::Bundle::at(path, hash).ok())
            .enumerate()
            .map(|(id, mut bundle)| {
                // The cache is keyed by pack id: make them distinct here
                // rather than trust ids derived from paths.
                bundle.pack.id = id as u32;
                bundle
            })
            .collect();
        Packs {
            bundles,
            cache: Mutex::new(Bases::new(cache_bytes)),
        }
    }

    /// Whether the blobs' delta chains run across paths rather than along
    /// each path's versions: `paths` lists each path's blobs. `git repack`
    /// deltas a path's versions on one another (the newest whole), so the
    /// history, reading a path's versions in turn, finds the next one's
    /// chain in a small cache; `git fast-import` deltas each blob on the
    /// one written before it whatever its path, so the chains are shared
    /// by every path, and reading path after path finds them again only if
    /// nearly all of the pack stays decoded (on the generated benchmark
    /// repository a 16 MiB cache decoded every entry twice, 32 MiB once).
    /// Judged on the first [`CROSSING_SAMPLE`] deltas.
    pub fn chains_cross_paths(&self, paths: impl Iterator<Item = Vec<gix::ObjectId>>) -> bool {
        let (mut deltas, mut along) = (0usize, 0usize);
        let mut offsets: Vec<(usize, u64)> = Vec::new();
        for versions in paths {
            let entries: Vec<(usize, data::Entry)> = versions
                .iter()
                .filter_map(|id| {
                    self.bundles.iter().enumerate().find_map(|(at, bundle)| {
                        let index = bundle.index.lookup(id)?;
                        let offset = bundle.index.pack_offset_at_index(index);
                        Some((at, bundle.pack.entry(offset).ok()?))
                    })
                })
                .collect();
            offsets.clear();
            offsets.extend(entries.iter().map(|(at, entry)| (*at, entry.data_offset)));
            offsets.sort_unstable();
            for (at, entry) in &entries {
                let base = match entry.header {
                    data::entry::Header::OfsDelta { base_distance } => {
                        entry.checked_base_pack_offset(base_distance)
                    }
                    data::entry::Header::RefDelta { base_id } => {
                        let bundle = &self.bundles[*at];
                        bundle
                            .index
                            .lookup(base_id)
                            .map(|index| bundle.index.pack_offset_at_index(index))
                    }
                    _ => continue,
                };
                deltas += 1;
                // An entry's offset is where its header starts; the
                // offsets kept above are where its data does.
                let along_path = base.and_then(|base| self.bundles[*at].pack.entry(base).ok());
                if along_path
                    .is_some_and(|base| offsets.binary_search(&(*at, base.data_offset)).is_ok())
                {
                    along += 1;
                }
            }
            if deltas >= CROSSING_SAMPLE {
                break;
            }
        }
        along * 2 < deltas
    }

    /// Changes the cache's budget.
    pub fn set_cache_bytes(&mut self, bytes: usize) {
        self.cache().half = bytes / 2;
    }

    fn cache(&self) -> MutexGuard<'_, Bases> {
        // A reader that panicked left the cache consistent: each operation
        // completes under the lock.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Deltas looked at by [`Packs::chains_cross_paths`]: enough to tell the
/// layouts apart, few enough to cost nothing next to reading the blobs.
const CROSSING_SAMPLE: usize = 4096;

/// What [`PackReader::read`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// The blob is in the buffer.
    Found,
    /// Larger than the limit: not decoded.
    TooLarge,
    /// Not in these packs, or not decodable from them: ask the object
    /// database.
    Elsewhere,
}

/// One thread's reader: its inflate state and the chain being decoded.
pub struct PackReader<'p> {
    packs: &'p Packs,
    inflate: gix::zlib::Inflate,
    chain: Vec<data::Entry>,
    /// The object being built up the chain, the next one, and the delta
    /// between them.
    base: Vec<u8>,
    result: Vec<u8>,
    delta: Vec<u8>,
}

/// Deeper than any chain git writes (its default `--depth` is 50, its
/// maximum 4095): past it the object database decodes, with its own cycle
/// check.
const MAX_CHAIN: usize = 5_000;

impl<'p> PackReader<'p> {
    pub fn new(packs: &'p Packs) -> Self {
        PackReader {
            packs,
            inflate: gix::zlib::Inflate::default(),
            chain: Vec::new(),
            base: Vec::new(),
            result: Vec::new(),
            delta: Vec::new(),
        }
    }

    /// Decodes the blob `id` into `out` (replacing its content) unless it is
    /// larger than `max_size` bytes.
    pub fn read(&mut self, id: &gix::oid, max_size: u64, out: &mut Vec<u8>) -> Read {
        let packs = self.packs;
        let Some(bundle) = packs.bundles.iter().find(|b| b.index.lookup(id).is_some()) else {
            return Read::Elsewhere;
        };
        match self.read_in(bundle, id, max_size, out) {
            Some(read) => read,
            None => Read::Elsewhere,
        }
    }

    fn read_in(
        &mut self,
        bundle: &pack::Bundle,
        id: &gix::oid,
        max_size: u64,
        out: &mut Vec<u8>,
    ) -> Option<Read> {
        let (pack, index) = (&bundle.pack, &bundle.index);
        let in_pack = |id: &gix::oid| {
            index
                .lookup(id)
                .and_then(|i| pack.entry(index.pack_offset_at_index(i)).ok())
        };
        let top = in_pack(id)?;
        // The chain down to a full object or a cached entry; on the way, a
        // bound on the blob's size: each delta makes its base at most the
        // delta's length larger. A cached entry is copied out at once:
        // another reader may drop it.
        self.chain.clear();
        let mut cursor = top.clone();
        let mut bound: u64;
        let mut cache = self.packs.cache();
        let cached = loop {
            if let Some(data) = cache.get(pack.id, cursor.data_offset) {
                bound = data.len() as u64;
                self.base.clear();
                self.base.extend_from_slice(data);
                break true;
            }
            self.chain.push(cursor.clone());
            if self.chain.len() > MAX_CHAIN {
                return None;
            }
            cursor = match cursor.header {
                data::entry::Header::OfsDelta { base_distance } => pack
                    .entry(cursor.checked_base_pack_offset(base_distance)?)
                    .ok()?,
                data::entry::Header::RefDelta { base_id } => in_pack(&base_id)?,
                _ => {
                    bound = cursor.decompressed_size;
                    break false;
                }
            };
        };
        drop(cache);
        bound = self
            .chain
            .iter()
            .filter(|entry| entry.header.is_delta())
            .fold(bound, |sum, entry| {
                sum.saturating_add(entry.decompressed_size)
            });
        if bound > max_size {
            // Only then the exact size, from the top delta's header (one
            // small inflate), as the object database's header lookup does.
            let size = if top.header.is_delta() {
                let resolve =
                    |id: &gix::oid| Ok(in_pack(id).map(data::decode::header::ResolvedBase::InPack));
                pack.decode_header(top.clone(), &mut self.inflate, &resolve)
                    .ok()?
                    .object_size
            } else {
                top.decompressed_size
            };
            if size > max_size {
                return Some(Read::TooLarge);
            }
        }
        // The base at the bottom: cached (copied above), or a full object
        // inflated here.
        let base = &mut self.base;
        let deltas = if cached {
            self.chain.len()
        } else {
            let deltas = self.chain.len() - 1;
            let bottom = &self.chain[deltas];
            inflate_into(pack, bottom, &mut self.inflate, base)?;
            self.packs.cache().put(pack.id, bottom.data_offset, base);
            deltas
        };
        // Each delta above it applied to the result below, and kept.
        for entry in self.chain[..deltas].iter().rev() {
            inflate_into(pack, entry, &mut self.inflate, &mut self.delta)?;
            apply(base, &self.delta, &mut self.result)?;
            std::mem::swap(base, &mut self.result);
            self.packs.cache().put(pack.id, entry.data_offset, base);
        }
        std::mem::swap(out, base);
        Some(Read::Found)
    }
}

/// Inflates a pack entry (a full object or a delta's instructions) into
/// `out`, which ends up exactly its length.
fn inflate_into(
    pack: &data::File,
    entry: &data::Entry,
    inflate: &mut gix::zlib::Inflate,
    out: &mut Vec<u8>,
) -> Option<()> {
    let size = usize::try_from(entry.decompressed_size).ok()?;
    // Grown with zeroes only past what earlier entries needed: zero-filling
    // the whole buffer for every entry was 4% of a history search.
    if out.len() < size {
        out.resize(size, 0);
    }
    pack.decompress_entry(entry, inflate, &mut out[..size])
        .ok()?;
    out.truncate(size);
    Some(())
}

/// Applies git's delta instructions to `base`, writing the result to `out`:
/// the base's size and the result's, each a little-endian base-128 number,
/// then instructions that copy a range of the base or insert the bytes
/// that follow. `None` when they do not fit the base or the sizes.
fn apply(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    fn size(delta: &[u8], at: &mut usize) -> Option<u64> {
        let mut size = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *delta.get(*at)?;
            *at += 1;
            size |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(size);
            }
        }
        None
    }
    let mut at = 0;
    if size(delta, &mut at)? != base.len() as u64 {
        return None;
    }
    let result = size(delta, &mut at)?;
    out.clear();
    // Not trusted for more than a few megabytes ahead.
    out.reserve(usize::try_from(result).ok()?.min(8 << 20));
    while let Some(&command) = delta.get(at) {
        at += 1;
        if command & 0x80 != 0 {
            // Which of 4 offset and 3 size bytes follow, low bits first.
            let mut field = |bits: u8, first_shift: u32| -> Option<usize> {
                let mut value = 0usize;
                for bit in 0..bits {
                    if command & (1 << (first_shift + u32::from(bit))) != 0 {
                        value |= usize::from(*delta.get(at)?) << (8 * u32::from(bit));
                        at += 1;
                    }
                }
                Some(value)
            };
            let offset = field(4, 0)?;
            let length = match field(3, 4)? {
                0 => 0x10000,
                length => length,
            };
            out.extend_from_slice(base.get(offset..offset.checked_add(length)?)?);
        } else if command != 0 {
            let end = at + usize::from(command);
            out.extend_from_slice(delta.get(at..end)?);
            at = end;
        } else {
            return None;
        }
    }
    (out.len() as u64 == result).then_some(())
}

/// Decoded pack entries by (pack, offset), up to a byte budget: two
/// generations, the older dropped whole when the newer reaches half the
/// budget, an entry found in the older moved to the newer. An LRU's
/// bookkeeping for the price of keeping a little less.
struct Bases {
    half: usize,
    current: HashMap<(u32, u64), Vec<u8>>,
    current_bytes: usize,
    previous: HashMap<(u32, u64), Vec<u8>>,
    /// Buffers of dropped entries, filled again.
    free: Vec<Vec<u8>>,
}

impl Bases {
    fn new(bytes: usize) -> Self {
        Bases {
            half: bytes / 2,
            current: HashMap::new(),
            current_bytes: 0,
            previous: HashMap::new(),
            free: Vec::new(),
        }
    }

    fn get(&mut self, pack: u32, offset: u64) -> Option<&[u8]> {
        let key = (pack, offset);
        if let Some(data) = self.previous.remove(&key) {
            self.insert(key, data);
        }
        // (Moving it may have begun a new generation.)
        self.current
            .get(&key)
            .or_else(|| self.previous.get(&key))
            .map(Vec::as_slice)
    }

    /// Keeps a copy of `data`, unless it is larger than half the budget.
    fn put(&mut self, pack: u32, offset: u64, data: &[u8]) {
        if data.len() > self.half {
            return;
        }
        let mut buffer = self.free.pop().unwrap_or_default();
        buffer.clear();
        buffer.extend_from_slice(data);
        self.insert((pack, offset), buffer);
    }

    fn insert(&mut self, key: (u32, u64), data: Vec<u8>) {
        self.current_bytes += data.len();
        if let Some(old) = self.current.insert(key, data) {
            self.current_bytes -= old.len();
            self.free.push(old);
        }
        if self.current_bytes > self.half {
            let dropped = std::mem::replace(&mut self.previous, std::mem::take(&mut self.current));
            // A few small buffers are enough to fill again: kept large
            // ones would be memory held beside the budget.
            self.free
                .extend(dropped.into_values().filter(|b| b.capacity() <= 256 << 10));
            self.free.truncate(16);
            self.current_bytes = 0;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    /// Runs git in `dir`; panics with its error when it fails. Shared with
    /// the history's tests.
    pub(crate) fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> Vec<u8> {
        let mut child = Command::new("git")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git runs");
        if let Some(input) = input {
            use std::io::Write;
            // A failure shows in git's error below.
            let _ = child.stdin.take().unwrap().write_all(input);
        }
        let output = child.wait_with_output().unwrap();
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "git {args:?}: {error}");
        output.stdout
    }

    /// A deterministic xorshift generator for the tests' random histories
    /// (no dependency for a few pseudo-random numbers). Shared with the
    /// history's tests.
    pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// A fast-import stream: 60 commits over three files that grow and
    /// change, and a large one. fast-import stores each blob as a delta on
    /// the blob written before it, whatever its path: chains that cross
    /// paths, as in the generated benchmark repository.
    fn stream() -> Vec<u8> {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut files = [String::new(), String::new(), String::new()];
        let mut out = Vec::new();
        for commit in 0..60 {
            out.extend(
                format!(
                    "commit refs/heads/main\ncommitter A <a@example.com> {} +0000\ndata 1\nc\n",
                    1_600_000_000 + commit * 60
                )
                .bytes(),
            );
            // A file that grows tenfold in one commit, right after its
            // small version: a delta much larger than its base.
            let small: String = (0..200).map(|i| format!("grow {i}\n")).collect();
            if commit == 31 {
                let big = small.clone() + &small.repeat(10).replace("grow", "grown");
                out.extend(format!("M 100644 inline grow.txt\ndata {}\n", big.len()).bytes());
                out.extend(big.as_bytes());
                out.push(b'\n');
            }
            for (index, file) in files.iter_mut().enumerate() {
                if next().is_multiple_of(3) && commit > 0 {
                    continue;
                }
                for _ in 0..1 + next() % 4 {
                    // Lines alike across files, as in code: deltas on
                    // another path's blob pay.
                    file.push_str(&format!(
                        "def handle_{index}_{}(value):\n    return value.get('key', {})\n",
                        next() % 50,
                        next() % 100
                    ));
                }
                if next().is_multiple_of(4) {
                    // A changed line in the middle.
                    let at = file.len() / 2;
                    let at = file[..at].rfind('\n').map_or(0, |i| i + 1);
                    file.insert_str(at, "changed\n");
                }
                out.extend(
                    format!("M 100644 inline file{index}.txt\ndata {}\n", file.len()).bytes(),
                );
                out.extend(file.as_bytes());
                out.push(b'\n');
            }
            if commit == 30 {
                out.extend(format!("M 100644 inline grow.txt\ndata {}\n", small.len()).bytes());
                out.extend(small.as_bytes());
                out.push(b'\n');
            }
            if commit % 20 == 5 {
                let big: String = (0..3_000).map(|i| format!("{commit} big {i}\n")).collect();
                out.extend(format!("M 100644 inline big.txt\ndata {}\n", big.len()).bytes());
                out.extend(big.as_bytes());
                out.push(b'\n');
            }
            out.push(b'\n');
        }
        out
    }

    /// Every blob of the packs, read in a scrambled order by two readers
    /// sharing a cache too
    /// small to keep a chain, and with one large enough, is the object
    /// database's blob; and one is too large exactly when its size is over
    /// the limit. Both pack layouts: fast-import's chains across paths, and
    /// `git repack`'s newest-first chains.
    #[test]
    fn every_packed_blob_reads_as_the_object_database_has_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        if Command::new("git").arg("--version").output().is_err() {
            eprintln!("git is not installed: skipped");
            return;
        }
        git(root, &["init", "-q"], None);
        git(root, &["fast-import", "--quiet"], Some(&stream()));
        for repack in [false, true] {
            if repack {
                git(
                    root,
                    &["repack", "-adfq", "--depth=50", "--window=10"],
                    None,
                );
            }
            let repo = gix::open(root).unwrap();
            let open =
                |cache| Packs::open(repo.objects.store_ref().path(), repo.object_hash(), cache);
            let packs = open(0);
            assert_eq!(packs.bundles.len(), 1);
            let mut blobs: Vec<(gix::ObjectId, Vec<u8>)> = packs.bundles[0]
                .index
                .iter()
                .filter_map(|entry| {
                    let object = repo.find_object(entry.oid).ok()?;
                    (object.kind == gix::objs::Kind::Blob).then(|| (entry.oid, object.data.clone()))
                })
                .collect();
            assert!(blobs.len() > 100, "{}", blobs.len());
            // Oldest and newest versions alternately, as no chain runs.
            let mut order: Vec<usize> = (0..blobs.len()).collect();
            order.sort_by_key(|i| (i % 7, usize::MAX - i));
            let deltas = blobs
                .iter()
                .filter(|(id, _)| {
                    let bundle = &packs.bundles[0];
                    let at = bundle
                        .index
                        .pack_offset_at_index(bundle.index.lookup(id).unwrap());
                    bundle.pack.entry(at).unwrap().header.is_delta()
                })
                .count();
            assert!(deltas * 2 > blobs.len(), "{deltas} of {}", blobs.len());
            // Each path's blobs, as the history groups them: fast-import's
            // chains cross paths, repack's run along them.
            let listed = git(root, &["rev-list", "--objects", "--all"], None);
            let mut paths: std::collections::BTreeMap<String, Vec<gix::ObjectId>> =
                Default::default();
            for line in String::from_utf8(listed).unwrap().lines() {
                if let Some((id, path)) = line.split_once(' ')
                    && path.ends_with(".txt")
                {
                    let id = gix::ObjectId::from_hex(id.as_bytes()).unwrap();
                    paths.entry(path.to_string()).or_default().push(id);
                }
            }
            assert!(paths.len() >= 4, "{paths:?}");
            assert_eq!(
                packs.chains_cross_paths(paths.into_values()),
                !repack,
                "repacked: {repack}"
            );
            for cache in [1_000, 16 << 20] {
                for max in [u64::MAX, 20_000] {
                    let packs = open(cache);
                    // Two readers taking turns on one cache, as threads do.
                    let mut readers = [PackReader::new(&packs), PackReader::new(&packs)];
                    let mut out = Vec::new();
                    for &i in &order {
                        let (id, data) = &blobs[i];
                        let read = readers[i % 2].read(id, max, &mut out);
                        if data.len() as u64 > max {
                            assert_eq!(read, Read::TooLarge, "{id}");
                        } else {
                            assert_eq!(read, Read::Found, "{id}");
                            assert!(out == *data, "{id} (repacked: {repack}, cache {cache})");
                        }
                    }
                }
            }
            blobs.clear();
        }
        // A blob that is not packed is for the object database.
        let loose = git(root, &["hash-object", "-w", "--stdin"], Some(b"loose\n"));
        let loose =
            gix::ObjectId::from_hex(String::from_utf8(loose).unwrap().trim().as_bytes()).unwrap();
        let repo = gix::open(root).unwrap();
        let packs = Packs::open(repo.objects.store_ref().path(), repo.object_hash(), 1 << 20);
        let mut out = Vec::new();
        assert_eq!(
            PackReader::new(&packs).read(&loose, u64::MAX, &mut out),
            Read::Elsewhere
        );
    }
}
