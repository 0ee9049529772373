//! The per-line "does a match start here" checks of several patterns,
//! answered at once where none of them matches.
//!
//! Patterns that share a literal are asked on the same lines: on the
//! monorepo profile the three `secret|token|password` assignment patterns
//! on the same 1.06 M lines each, the four `:=`/`const` signing-secret
//! patterns on the same 345 k lines each, and almost never with a match.
//! Most of a check's cost is the lazy-DFA search's fixed cost, not the few
//! bytes it reads. So the patterns checked per line are put in groups (those
//! linked by shared literals), and the first member asked about a line asks
//! one lazy DFA of the whole group's alternation: its "no" answers every
//! member's question on that line, and only a "yes" sends each member to
//! its own check. An alternation matches at a position exactly when one of
//! its branches does, so a member never hears "no" where it would match.

use super::prefilter::NON_ASCII_FOLDS;
use std::collections::HashMap;

/// A worker asks a group only after this many checks of its members at
/// line starts: the group's lazy DFA builds its states (a dozen patterns at
/// once) in each worker, which cost more than it saved on trees of a few
/// thousand files (argo-cd: 50 k checks in all, 3.7% more instructions with
/// the groups asked from the start; medusa still 1% more after 50,000,
/// 0.9% after 200,000); the monorepo profile asks millions.
const WARM_UP: u32 = 200_000;

/// At most this many patterns in one group: each added branch makes the
/// group's lazy DFA larger, and a "yes" for one member sends every member
/// asked on that line to its own check.
const MAX_MEMBERS: usize = 16;

/// The groups of a plan's patterns.
#[derive(Debug, Default)]
pub(crate) struct StartGroups {
    /// Per pattern: its group, if it has one.
    of: Vec<Option<usize>>,
    /// Per group: its patterns, in order.
    members: Vec<Vec<usize>>,
}

impl StartGroups {
    /// Groups the patterns checked per line: per pattern, its required
    /// literals when it is checked per line, else `None`. Patterns are
    /// linked by a literal they share (the non-ASCII case folds `ſ` and `K`,
    /// which every `(?i)` pattern with an `s` or a `k` holds, link nothing)
    /// and grouped by what is linked, in order, [`MAX_MEMBERS`] at most; a
    /// pattern linked to none stays alone, without a group.
    pub(crate) fn new(checked: &[Option<&[Vec<u8>]>]) -> StartGroups {
        let mut parent: Vec<usize> = (0..checked.len()).collect();
        fn root(parent: &mut [usize], mut at: usize) -> usize {
            while parent[at] != at {
                parent[at] = parent[parent[at]];
                at = parent[at];
            }
            at
        }
        let mut first_owner: HashMap<&[u8], usize> = HashMap::new();
        for (pattern, literals) in checked.iter().enumerate() {
            for literal in literals.iter().copied().flatten() {
                if NON_ASCII_FOLDS
                    .iter()
                    .any(|fold| fold.as_bytes() == literal)
                {
                    continue;
                }
                let owner = *first_owner.entry(literal).or_insert(pattern);
                let (a, b) = (root(&mut parent, owner), root(&mut parent, pattern));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut by_root: HashMap<usize, Vec<usize>> = HashMap::new();
        for pattern in (0..checked.len()).filter(|p| checked[*p].is_some()) {
            by_root
                .entry(root(&mut parent, pattern))
                .or_default()
                .push(pattern);
        }
        let mut linked: Vec<Vec<usize>> = by_root.into_values().collect();
        linked.sort();
        let mut groups = StartGroups {
            of: vec![None; checked.len()],
            members: Vec::new(),
        };
        for component in linked {
            for members in component.chunks(MAX_MEMBERS) {
                if members.len() < 2 {
                    continue;
                }
                for member in members {
                    groups.of[*member] = Some(groups.members.len());
                }
                groups.members.push(members.to_vec());
            }
        }
        groups
    }

    /// The group of `pattern`, if it has one.
    #[inline]
    pub(crate) fn of(&self, pattern: usize) -> Option<usize> {
        self.of.get(pattern).copied().flatten()
    }

    /// The patterns of each group.
    pub(crate) fn members(&self) -> &[Vec<usize>] {
        &self.members
    }
}

/// One worker's answers of the groups' checks in the file it searches.
#[derive(Debug, Default)]
pub(crate) struct GroupAnswers {
    /// Per group: whether two or more of its members may be checked in
    /// this file (else its check would only add to the one member's).
    active: Vec<bool>,
    /// Per group: its answers in this file.
    answers: Vec<Answers>,
    /// Per group: its members' checks at line starts so far, up to
    /// [`WARM_UP`].
    checks: Vec<u32>,
}

/// A group's answers in one file: (line start, whether a member may start
/// a match on that line), sorted by line start, and where the last look-up
/// ended. Each member asks about its lines in order, so a look-up goes on
/// from the last one's place (back to the start when a member asks about
/// an earlier line than the last): a binary search for each of millions of
/// lines cost more than the checks it saved.
#[derive(Debug, Default)]
struct Answers {
    lines: Vec<(usize, bool)>,
    cursor: usize,
}

impl GroupAnswers {
    /// Forgets the last file's answers and notes which groups are worth
    /// asking in this one: those with two or more members among `patterns`
    /// (the file's, sorted) that are `candidates`.
    pub(crate) fn new_file(
        &mut self,
        groups: &StartGroups,
        patterns: &[usize],
        candidates: &[bool],
    ) {
        self.active.clear();
        self.answers
            .resize_with(groups.members.len(), Answers::default);
        self.checks.resize(groups.members.len(), 0);
        for answers in &mut self.answers {
            answers.lines.clear();
            answers.cursor = 0;
        }
        for members in &groups.members {
            let asked = members
                .iter()
                .filter(|m| candidates[**m] && patterns.binary_search(m).is_ok())
                .count();
            self.active.push(asked >= 2);
        }
    }

    /// Whether group `group` is worth asking in this file.
    #[inline]
    pub(crate) fn active(&self, group: usize) -> bool {
        self.active.get(group).copied().unwrap_or(false)
    }

    /// Whether group `group` is worth asking in this file, counting the
    /// check of a member at a line's start that asks (see [`WARM_UP`]).
    #[inline]
    pub(crate) fn worth_asking(&mut self, group: usize) -> bool {
        if !self.active(group) {
            return false;
        }
        let checks = &mut self.checks[group];
        if *checks < WARM_UP {
            *checks += 1;
            return false;
        }
        true
    }

    /// Skips the warm-up of every group (for tests).
    #[cfg(test)]
    pub(crate) fn warmed_up(&mut self) {
        self.checks.fill(WARM_UP);
    }

    /// The answer of `group` for the line starting at `line`, when asked
    /// already in this file.
    #[inline]
    pub(crate) fn answer(&mut self, group: usize, line: usize) -> Option<bool> {
        let Answers { lines, cursor } = &mut self.answers[group];
        if *cursor > 0 && lines[*cursor - 1].0 >= line {
            *cursor = 0;
        }
        while *cursor < lines.len() && lines[*cursor].0 < line {
            *cursor += 1;
        }
        lines
            .get(*cursor)
            .filter(|(start, _)| *start == line)
            .map(|(_, any)| *any)
    }

    /// Records the answer of `group` for the line starting at `line`, just
    /// after [`Self::answer`] found none for it.
    #[inline]
    pub(crate) fn record(&mut self, group: usize, line: usize, any: bool) {
        let Answers { lines, cursor } = &mut self.answers[group];
        let fits = lines.get(*cursor).is_none_or(|(start, _)| *start > line)
            && (*cursor == 0 || lines[*cursor - 1].0 < line);
        if !fits {
            // Not where a look-up for `line` left off: find the place anew.
            *cursor = lines.partition_point(|(start, _)| *start < line);
        }
        lines.insert(*cursor, (line, any));
    }
}

#[cfg(test)]
mod tests {
    use super::{GroupAnswers, MAX_MEMBERS, StartGroups, WARM_UP};

    fn set(literals: &[&str]) -> Vec<Vec<u8>> {
        literals.iter().map(|l| l.as_bytes().to_vec()).collect()
    }

    /// Patterns are grouped by shared literals, transitively; the non-ASCII
    /// case folds link nothing; patterns not checked per line, or linked
    /// to no other, have no group.
    #[test]
    fn groups_follow_shared_literals() {
        let sets = [
            set(&["secret", "token"]),
            set(&["password", "\u{17F}"]),
            set(&["token", "pwd"]),
            set(&["backup", "\u{17F}", "\u{212A}"]),
            set(&["pwd"]),
            set(&["secret"]),
            set(&["target:"]),
            set(&["backups", "\u{212A}"]),
        ];
        let checked: Vec<Option<&[Vec<u8>]>> = sets
            .iter()
            .enumerate()
            .map(|(index, set)| (index != 5).then_some(set.as_slice()))
            .collect();
        let groups = StartGroups::new(&checked);
        assert_eq!(groups.members(), &[vec![0, 2, 4]]);
        assert_eq!(
            (0..9).map(|p| groups.of(p)).collect::<Vec<_>>(),
            [
                Some(0),
                None,
                Some(0),
                None,
                Some(0),
                None,
                None,
                None,
                None
            ]
        );
    }

    /// A group holds at most [`MAX_MEMBERS`] patterns.
    #[test]
    fn large_groups_are_split() {
        let sets = vec![set(&["secret"]); MAX_MEMBERS + 3];
        let checked: Vec<Option<&[Vec<u8>]>> = sets.iter().map(|s| Some(s.as_slice())).collect();
        let groups = StartGroups::new(&checked);
        let sizes: Vec<usize> = groups.members().iter().map(Vec::len).collect();
        assert_eq!(sizes, [MAX_MEMBERS, 3]);
    }

    /// A group is asked in a file where two of its members are searched
    /// and may match; answers are kept per line, in any order, until the
    /// next file.
    #[test]
    fn answers_per_file() {
        let sets = [set(&["secret"]), set(&["secret"]), set(&["secret"])];
        let checked: Vec<Option<&[Vec<u8>]>> = sets.iter().map(|s| Some(s.as_slice())).collect();
        let groups = StartGroups::new(&checked);
        let mut answers = GroupAnswers::default();
        answers.new_file(&groups, &[0, 2], &[true, true, false]);
        assert!(!answers.active(0));
        answers.new_file(&groups, &[0, 1, 2], &[true, false, true]);
        assert!(answers.active(0));
        for _ in 0..WARM_UP {
            assert!(!answers.worth_asking(0));
        }
        assert!(answers.worth_asking(0));
        answers.new_file(&groups, &[0, 1, 2], &[true, true, false]);
        assert!(answers.worth_asking(0));
        answers.new_file(&groups, &[0], &[true, true, false]);
        assert!(!answers.worth_asking(0));
        answers.new_file(&groups, &[0, 1, 2], &[true, false, true]);
        // Two members asking in line order, as the search does, and the
        // answers recorded out of order.
        for (line, any) in [(40, false), (90, true), (10, true), (60, false), (95, true)] {
            if line == 10 || line == 60 {
                assert_eq!(answers.answer(0, 5), None);
            }
            assert_eq!(answers.answer(0, line), None);
            answers.record(0, line, any);
        }
        // Recorded without a look-up first.
        answers.record(0, 20, false);
        answers.record(0, 97, false);
        let lines = [0, 10, 20, 40, 50, 60, 90, 95, 97, 100];
        let expected = [
            None,
            Some(true),
            Some(false),
            Some(false),
            None,
            Some(false),
            Some(true),
            Some(true),
            Some(false),
            None,
        ];
        for _ in 0..2 {
            let asked: Vec<Option<bool>> = lines.iter().map(|l| answers.answer(0, *l)).collect();
            assert_eq!(asked, expected);
        }
        let asked: Vec<Option<bool>> = lines.iter().rev().map(|l| answers.answer(0, *l)).collect();
        assert_eq!(asked, expected.into_iter().rev().collect::<Vec<_>>());
        answers.new_file(&groups, &[0, 1], &[true, true, true]);
        assert!(answers.active(0));
        assert_eq!(answers.answer(0, 40), None);
    }
}
