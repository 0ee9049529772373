//! The lines one version of a file adds to the version before it: all a
//! commit can have introduced into it.
//!
//! The history search reads every version of every file, and most commits
//! change a few lines of a file whose other lines were searched in an
//! earlier version. Searching only the added lines (what `git log -p` based
//! scanners see) makes a file edited in a thousand commits cost one full
//! search and a few lines per commit, instead of a thousand full searches.
//!
//! The unchanged start and end are found by comparing bytes, so only the
//! changed middle is split into lines and handed to a line diff (gitoxide's
//! imara-diff, histogram algorithm).

use gix::diff::blob::sources::byte_lines;
use gix::diff::blob::{Algorithm, Diff, InternedInput};

/// Fills `added` with the regions of `new` that are not lines of `old`:
/// start and end offsets of whole lines (the end after the line break), in
/// order, neighbouring lines merged into one region. Every other line of
/// `new` is a line of `old`.
pub fn added_lines(old: &[u8], new: &[u8], added: &mut Vec<(usize, usize)>) {
    added.clear();
    let common = common_prefix(old, new);
    // The start of the line the first difference is on: every line before
    // it is in both versions.
    let start = memchr::memrchr(b'\n', &new[..common]).map_or(0, |i| i + 1);
    let (old_rest, new_rest) = (&old[start..], &new[start..]);
    let suffix = common_suffix(old_rest, new_rest);
    // The first line that starts inside the common end, in both versions;
    // a line that only ends there may be a new line made of old text.
    let mut end = new.len() - suffix;
    let old_end = |end: usize| old.len() - (new.len() - end);
    let at_line_start = |text: &[u8], at: usize| at == start || text[at - 1] == b'\n';
    if !(at_line_start(new, end) && at_line_start(old, old_end(end))) {
        end = memchr::memchr(b'\n', &new[end..]).map_or(new.len(), |i| end + i + 1);
    }
    let (old_middle, new_middle) = (&old[start..old_end(end)], &new[start..end]);
    if new_middle.is_empty() {
        return;
    }
    if old_middle.is_empty() {
        added.push((start, end));
        return;
    }
    let input = InternedInput::new(byte_lines(old_middle), byte_lines(new_middle));
    let diff = Diff::compute(Algorithm::Histogram, &input);
    // Byte offsets of the middle's lines, in `new`.
    let mut offsets = Vec::with_capacity(input.after.len() + 1);
    let mut at = start;
    offsets.push(at);
    for line in byte_lines(new_middle) {
        at += line.len();
        offsets.push(at);
    }
    for hunk in diff.hunks() {
        if hunk.after.is_empty() {
            continue;
        }
        let (from, to) = (
            offsets[hunk.after.start as usize],
            offsets[hunk.after.end as usize],
        );
        match added.last_mut() {
            Some((_, last)) if *last == from => *last = to,
            _ => added.push((from, to)),
        }
    }
}

/// Bytes compared at a time by [`common_prefix`] and [`common_suffix`]:
/// a byte-by-byte loop over two versions of a file that differ in a few
/// lines was a third of the time spent finding the added lines (a tenth of
/// a history search); slice comparisons of this size run as `memcmp`.
const CHUNK: usize = 64;

/// The length of the longest common start of `a` and `b`.
pub(crate) fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + CHUNK <= len && a[at..at + CHUNK] == b[at..at + CHUNK] {
        at += CHUNK;
    }
    at + a[at..len]
        .iter()
        .zip(&b[at..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the longest common end of `a` and `b`.
pub(crate) fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut at = len;
    while at >= CHUNK && a[at - CHUNK..at] == b[at - CHUNK..at] {
        at -= CHUNK;
    }
    len - at
        + a[..at]
            .iter()
            .rev()
            .zip(b[..at].iter().rev())
            .take_while(|(x, y)| x == y)
            .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(old: &str, new: &str) -> Vec<String> {
        let mut regions = Vec::new();
        added_lines(old.as_bytes(), new.as_bytes(), &mut regions);
        regions
            .iter()
            .map(|(s, e)| new[*s..*e].to_string())
            .collect()
    }

    /// The chunked comparisons agree with a byte-by-byte one at every
    /// length and position of the first difference, chunk edges included.
    #[test]
    fn common_prefix_and_suffix_agree_with_bytewise() {
        let naive_prefix = |a: &[u8], b: &[u8]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let naive_suffix = |a: &[u8], b: &[u8]| {
            a.iter()
                .rev()
                .zip(b.iter().rev())
                .take_while(|(x, y)| x == y)
                .count()
        };
        let base: Vec<u8> = (0..300u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
            for extra in [0, 1, 70] {
                let a = &base[..len];
                let mut b = base[..len].to_vec();
                b.extend(std::iter::repeat_n(b'x', extra));
                assert_eq!(common_prefix(a, &b), naive_prefix(a, &b));
                assert_eq!(common_prefix(&b, a), naive_prefix(&b, a));
                let mut c = vec![b'y'; extra];
                c.extend_from_slice(a);
                assert_eq!(common_suffix(a, &c), naive_suffix(a, &c));
                assert_eq!(common_suffix(&c, a), naive_suffix(&c, a));
                for diff in (0..len).step_by(13).chain([len.saturating_sub(1)]) {
                    if len == 0 {
                        continue;
                    }
                    let mut d = b.clone();
                    d[diff] ^= 1;
                    assert_eq!(common_prefix(a, &d), naive_prefix(a, &d));
                    let mut e = c.clone();
                    e[extra + diff] ^= 1;
                    assert_eq!(common_suffix(a, &e), naive_suffix(a, &e));
                }
            }
        }
    }

    #[test]
    fn appended_inserted_and_changed_lines() {
        assert_eq!(added("a\nb\n", "a\nb\nc\n"), ["c\n"]);
        assert_eq!(added("a\nb\n", "x\na\nb\n"), ["x\n"]);
        assert_eq!(added("a\nb\nc\n", "a\nB\nc\n"), ["B\n"]);
        assert_eq!(added("a\nb\nc\nd\ne\n", "a\nX\nc\nd\nY\n"), ["X\n", "Y\n"]);
        assert_eq!(added("a\nb\nc\n", "a\nc\n"), Vec::<String>::new());
        assert_eq!(added("a\nb\n", "a\nb\n"), Vec::<String>::new());
        assert_eq!(added("", "a\nb"), ["a\nb"]);
        // A last line without a line break that gains one, or more text.
        assert_eq!(added("a\nb", "a\nbc"), ["bc"]);
    }

    #[test]
    fn a_line_made_of_the_end_of_an_old_line_is_added() {
        // "key=value" was inside another line: as a line of its own it may
        // match a pattern anchored at a line start.
        assert_eq!(added("x\n# key=value\n", "x\nkey=value\n"), ["key=value\n"]);
        assert_eq!(added("x\nabkey=1\n", "x\nY\nkey=1\n"), ["Y\nkey=1\n"]);
    }

    #[test]
    fn every_line_not_added_is_a_line_of_the_old_version() {
        let old = "fn a() {}\nlet t = 1;\n\nfn b() {}\nlet t = 1;\nend\n";
        let new = "fn a() {}\nlet t = 2;\n\nfn b() {}\nlet t = 1;\nlet u = 3;\nend\nmore";
        let mut regions = Vec::new();
        added_lines(old.as_bytes(), new.as_bytes(), &mut regions);
        let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
        let mut at = 0;
        for line in new.split_inclusive('\n') {
            let inside = regions
                .iter()
                .any(|(s, e)| *s <= at && at + line.len() <= *e);
            assert!(inside || old_lines.contains(&line), "{line:?}");
            at += line.len();
        }
        let text: Vec<&str> = regions.iter().map(|(s, e)| &new[*s..*e]).collect();
        assert_eq!(text, ["let t = 2;\n", "let u = 3;\n", "more"]);
    }
}
