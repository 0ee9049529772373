//! The literal pass's automaton: every occurrence of a set of literals,
//! matched ASCII case-insensitively, found by one table look-up a byte.
//!
//! This is the DFA aho-corasick's `dfa::Builder` makes (standard match
//! semantics, searched overlapping, no prefilter), built here instead.
//! aho-corasick 1.1.5 fills each state's row by stepping over all 256 bytes
//! and asking, for each byte class without a trie transition, the
//! noncontiguous NFA's failure chain: for the ~1,650 built-in literals that
//! was about 200 M instructions, two fifths of an empty audit and on the
//! critical path of every small one. Here the trie is a dense table from
//! the start, and a breadth-first pass copies each missing entry from the
//! failure state's row, which is finished by then (it is shallower): a few
//! instructions an entry.
//!
//! Ids are premultiplied by the row length, so a step is
//! `table[state + class[byte]]`, and match states are numbered last: the
//! rows of the states that are not match states come first, and a step
//! from one of them indexes those rows only (`state + class` is below the
//! first match state's id), a step from a match state past them. One
//! comparison of that index against the first match state's id is then
//! both the slice's bounds check and the test for a match: the search
//! loop reads `rows.get(state + class[byte])`, and `None` means the state
//! it stands in is a match state (6 instructions a byte instead of 8: a
//! bounds check and a match test of their own each).

/// More table entries than this (256 MiB of `u32`) and the set is left to
/// the slower automaton that [`super::prefilter::Literals`] falls back on.
const MAX_ENTRIES: usize = 1 << 26;

/// A dense DFA of literals (see the module documentation).
pub(super) struct LiteralDfa {
    /// Per byte: its class. ASCII letters share one with their other case,
    /// and every byte no literal holds shares class 0.
    classes: [u8; 256],
    /// Row `s` (premultiplied: it starts at `s`) holds the next state for
    /// each class.
    table: Vec<u32>,
    /// The start state (the trie's root).
    start: u32,
    /// The first match state: states from this one on are match states,
    /// and `table[..match_from]` holds the rows of the others.
    match_from: u32,
    /// Row length: the number of classes.
    stride: u32,
    /// Per match state, in order (the first is [`Self::match_from`]): its
    /// range of [`Self::matches`].
    ranges: Vec<(u32, u32)>,
    /// The literals each match state reports, in aho-corasick's order: the
    /// literals that end there (in the order they were given), then those
    /// of its failure state.
    matches: Vec<u32>,
    /// Per literal: its length.
    lengths: Vec<u32>,
}

impl std::fmt::Debug for LiteralDfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiteralDfa")
            .field("states", &(self.table.len() / self.stride as usize))
            .field("classes", &self.stride)
            .field("literals", &self.lengths.len())
            .finish()
    }
}

impl LiteralDfa {
    /// The automaton of `literals`; `None` when there is none, one is
    /// empty, or the table would be too large.
    pub(super) fn new(literals: &[Vec<u8>]) -> Option<LiteralDfa> {
        if literals.is_empty() || literals.iter().any(Vec::is_empty) {
            return None;
        }
        let classes = classes_of(literals);
        let stride = 1 + usize::from(*classes.iter().max()?);
        // The trie, with unpremultiplied ids; 0 (the root) is "none" until
        // a row is filled, as no trie transition leads to the root. Per
        // state: the state and class it is reached from, and its depth.
        let mut trie: Vec<u32> = vec![0; stride];
        let mut parents = vec![(0u32, 0u8)];
        let mut depths = vec![0u32];
        // (state, literal) for each literal, in order.
        let mut ends = Vec::with_capacity(literals.len());
        for (id, literal) in literals.iter().enumerate() {
            let mut state = 0;
            for byte in literal {
                let class = classes[usize::from(*byte)];
                let at = state * stride + usize::from(class);
                state = match trie[at] {
                    0 => {
                        let new = parents.len();
                        if trie.len() + stride > MAX_ENTRIES {
                            return None;
                        }
                        trie.resize(trie.len() + stride, 0);
                        trie[at] = new as u32;
                        parents.push((state as u32, class));
                        depths.push(depths[state] + 1);
                        new
                    }
                    next => next as usize,
                };
            }
            ends.push((state, u32::try_from(id).ok()?));
        }
        let states = parents.len();
        // Stable: a state's literals stay in the order given.
        ends.sort_by_key(|(state, _)| *state);
        let mut own = vec![(0u32, 0u32); states];
        for (index, (state, _)) in ends.iter().enumerate() {
            let index = index as u32;
            let entry = &mut own[*state];
            *entry = match *entry {
                (from, to) if to > from => (from, index + 1),
                _ => (index, index + 1),
            };
        }
        // Shallower states first (the root's row stays as it is: a class
        // without a child leads back to the root). A state's failure state
        // is shallower than it, so its row and its matches are final when
        // the state is reached; its parent's failure state too.
        let mut order: Vec<u32> = (1..states as u32).collect();
        order.sort_by_key(|state| depths[*state as usize]);
        let mut failure = vec![0u32; states];
        let mut ranges = vec![(0u32, 0u32); states];
        let mut matches: Vec<u32> = Vec::new();
        let mut fail_row = vec![0u32; stride];
        for state in order {
            let state = state as usize;
            let (parent, class) = parents[state];
            let fail = match parent {
                0 => 0,
                parent => trie[failure[parent as usize] as usize * stride + usize::from(class)],
            };
            failure[state] = fail;
            let fail = fail as usize;
            let start = matches.len() as u32;
            let (from, to) = own[state];
            matches.extend(ends[from as usize..to as usize].iter().map(|(_, id)| *id));
            let (from, to) = ranges[fail];
            matches.extend_from_within(from as usize..to as usize);
            ranges[state] = (start, matches.len() as u32);
            fail_row.copy_from_slice(&trie[fail * stride..][..stride]);
            for (next, failed) in trie[state * stride..][..stride].iter_mut().zip(&fail_row) {
                // Without a branch, so that the loop is vectorised.
                let missing = u32::from(*next == 0).wrapping_neg();
                *next |= *failed & missing;
            }
        }
        // The states that are not match states first, then the match
        // states, each in trie order; ids premultiplied.
        let is_match = |state: usize| ranges[state].1 > ranges[state].0;
        let mut renumbered = vec![0u32; states];
        let mut next_id = 0u32;
        for pass in [false, true] {
            for (state, id) in renumbered.iter_mut().enumerate() {
                if is_match(state) == pass {
                    *id = next_id * stride as u32;
                    next_id += 1;
                }
            }
        }
        let match_states = (0..states).filter(|s| is_match(*s)).count();
        let match_from = (states - match_states) * stride;
        let mut table = vec![0u32; trie.len()];
        let mut match_ranges = vec![(0u32, 0u32); match_states];
        for (state, row) in trie.chunks_exact(stride).enumerate() {
            let id = renumbered[state] as usize;
            for (to, from) in table[id..][..stride].iter_mut().zip(row) {
                *to = renumbered[*from as usize];
            }
            if is_match(state) {
                match_ranges[(id - match_from) / stride] = ranges[state];
            }
        }
        Some(LiteralDfa {
            classes,
            table,
            start: renumbered[0],
            match_from: match_from as u32,
            stride: stride as u32,
            ranges: match_ranges,
            matches,
            lengths: literals.iter().map(|l| l.len() as u32).collect(),
        })
    }

    /// Calls `found(literal, start)` for every occurrence of every literal
    /// in `text`, overlapping ones included, in the order they end (those
    /// ending at the same byte in [`Self::matches`]' order).
    #[inline(always)]
    pub(super) fn each(&self, text: &[u8], mut found: impl FnMut(usize, usize)) {
        let mut state = self.start;
        let mut at = 0;
        while let Some((end, matched)) = self.next_match(text, at, state) {
            state = matched;
            at = end;
            let (from, to) = self.ranges[((state - self.match_from) / self.stride) as usize];
            for literal in &self.matches[from as usize..to as usize] {
                found(
                    *literal as usize,
                    end - self.lengths[*literal as usize] as usize,
                );
            }
        }
    }

    /// Runs from `state` over `text[at..]` to the first match state: where
    /// it ends and the state. `state` may be a match state (where the last
    /// search ended): the first byte leaves it. A function of its own so
    /// that its loop keeps everything in registers; four bytes a round, so
    /// that the end of the text is tested once for four.
    #[inline(never)]
    fn next_match(&self, text: &[u8], at: usize, mut state: u32) -> Option<(usize, u32)> {
        let (table, classes, from) = (&self.table[..], &self.classes, self.match_from);
        let mut at = at;
        if state >= from {
            let byte = *text.get(at)?;
            state = table[(state + u32::from(classes[usize::from(byte)])) as usize];
            at += 1;
        }
        // The rows of the states that are not match states: an index past
        // them is a step from a match state (see the module documentation).
        let rows = &table[..from as usize];
        // `false` when `state` is a match state, which `byte` would leave.
        // The index is a sum of `usize`s: with a 32-bit sum the compiler
        // compared 32 bits and then widened the index, an instruction more
        // a byte.
        let mut step = |byte: u8| {
            let index = state as usize + usize::from(classes[usize::from(byte)]);
            rows.get(index).map(|next| state = *next).is_some()
        };
        let (rounds, rest) = text.get(at..)?.as_chunks::<8>();
        for (round, bytes) in rounds.iter().enumerate() {
            for (index, byte) in bytes.iter().enumerate() {
                if !step(*byte) {
                    return Some((at + round * 8 + index, state));
                }
            }
        }
        let at = at + rounds.len() * 8;
        for (index, byte) in rest.iter().enumerate() {
            if !step(*byte) {
                return Some((at + index, state));
            }
        }
        (state >= from).then_some((text.len(), state))
    }
}

/// Each byte's class: one per distinct byte the literals hold, ASCII
/// letters folded to lower case (upper and lower case share a class), and
/// class 0 for every byte no literal holds.
fn classes_of(literals: &[Vec<u8>]) -> [u8; 256] {
    let mut used = [false; 256];
    for byte in literals.iter().flatten() {
        used[usize::from(byte.to_ascii_lowercase())] = true;
    }
    // At most 230 distinct bytes once folded: the classes fit a byte.
    let mut folded = [0u8; 256];
    let mut next = 0u8;
    for (byte, used) in used.iter().enumerate() {
        if *used {
            next += 1;
            folded[byte] = next;
        }
    }
    let mut classes = [0u8; 256];
    for (byte, class) in classes.iter_mut().enumerate() {
        *class = folded[usize::from((byte as u8).to_ascii_lowercase())];
    }
    classes
}

#[cfg(test)]
mod tests {
    use super::LiteralDfa;
    use aho_corasick::{AhoCorasick, MatchKind};

    fn reference(literals: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(literals)
            .unwrap()
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect()
    }

    fn found(literals: &[Vec<u8>], text: &[u8]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        LiteralDfa::new(literals)
            .unwrap()
            .each(text, |literal, start| found.push((literal, start)));
        found
    }

    /// Every occurrence aho-corasick's overlapping search reports, in the
    /// same order: literals inside others, repeated ones, upper case in a
    /// literal or the text, bytes outside ASCII (not folded), and the
    /// built-in literals over real-looking text.
    #[test]
    fn finds_what_aho_corasick_finds_in_the_same_order() {
        let bytes = |words: &[&str]| -> Vec<Vec<u8>> {
            words.iter().map(|w| w.as_bytes().to_vec()).collect()
        };
        let literals = bytes(&[
            "pass",
            "password",
            "word",
            "sword",
            "ass",
            "token",
            "oke",
            "TOKEN",
            "pass",
            "s",
            "\u{e9}t\u{e9}",
            "\u{c9}t\u{c9}",
            "a\nb",
            "k\u{212a}",
        ]);
        let text = "PassWord= swordsman tOKEN passpassword\n ass tokenoke \u{e9}t\u{e9} \
                    \u{c9}T\u{c9} \u{c9}t\u{c9} a\nb A\nB k\u{212a} K\u{212a} sss";
        let expected = reference(&literals, text.as_bytes());
        assert!(expected.len() > 30, "{expected:?}");
        assert_eq!(found(&literals, text.as_bytes()), expected);
        // From every offset: the search reads four bytes a round, and the
        // rest one by one.
        for from in 0..text.len() {
            let text = &text.as_bytes()[from..];
            assert_eq!(
                found(&literals, text),
                reference(&literals, text),
                "from {from}"
            );
        }

        let builtin: Vec<Vec<u8>> = crate::scan::literal_table::ANALYSES
            .iter()
            .filter_map(|entry| entry.literals)
            .flatten()
            .map(|literal| literal.to_vec())
            .collect();
        let text = std::fs::read_to_string(file!()).unwrap()
            + &std::fs::read_to_string("src/scan/literal_table.rs").unwrap();
        let expected = reference(&builtin, text.as_bytes());
        assert!(expected.len() > 10_000, "{}", expected.len());
        assert_eq!(found(&builtin, text.as_bytes()), expected);
    }

    #[test]
    fn no_automaton_for_no_literal_or_an_empty_one() {
        assert!(LiteralDfa::new(&[]).is_none());
        assert!(LiteralDfa::new(&[b"ab".to_vec(), Vec::new()]).is_none());
        assert!(found(&[b"x".to_vec()], b"").is_empty());
    }
}
