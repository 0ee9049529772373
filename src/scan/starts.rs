//! Whether a content pattern's match starts at the start of a text: the
//! question [`super::plan::ScanPlan::starts_on_line`] asks of each line a
//! pattern's literals are on.
//!
//! A whole `regex::bytes::Regex` was compiled for it: a forward NFA with
//! capture groups, a reverse NFA, literal prefilters and a one-pass DFA,
//! none of which an anchored yes-or-no question uses, so compiling it was
//! most of its cost (a third of the instructions of a mid-sized repository
//! went to compiling regexes the first time a file needed them). A lazy
//! DFA over a forward NFA without groups answers the same question.
//!
//! The lazy DFA's cache (the states it has built so far) belongs to the
//! worker that asks, in a [`StartsCaches`]: taking one from a shared pool
//! for each question cost about 90 instructions a call, 0.6 G of the
//! monorepo profile's 6 M questions.

use super::per_pattern::PerPattern;
use super::start_groups::GroupAnswers;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};

/// A regex asked only whether it matches at the start of a text.
pub(crate) struct Starts {
    dfa: DFA,
}

/// One worker's lazy-DFA caches, one per pattern, made the first time the
/// worker asks that pattern and kept for its later files. Used with one
/// plan only (a worker's search lives within its plan's lifetime), so an
/// address names one lazy DFA.
/// Also the answers of the groups' checks in the file being searched.
#[derive(Default)]
pub(crate) struct StartsCaches {
    caches: PerPattern<Cache>,
    pub(crate) groups: GroupAnswers,
}

impl StartsCaches {
    /// The cache of `starts`, the lazy DFA of pattern `pattern` (or of a
    /// group, numbered after the patterns).
    fn of(&mut self, pattern: usize, starts: &Starts) -> &mut Cache {
        self.caches
            .of(pattern, starts, |starts| starts.dfa.create_cache())
    }
}

impl std::fmt::Debug for Starts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Starts")
    }
}

impl Starts {
    /// `regex` (its word boundaries already made ASCII), as
    /// `regex::bytes::RegexBuilder` would read it with Unicode on or off
    /// and the same size limit. `None` when the lazy DFA cannot be built
    /// (a Unicode word boundary, a pattern too large): then the caller
    /// compiles a whole regex as before.
    pub(crate) fn new(regex: &str, unicode: bool, size_limit: usize) -> Option<Starts> {
        Starts::any_of(&[regex], unicode, size_limit)
    }

    /// [`Self::new`] for several regexes at once: a match of any of them at
    /// the start of a text is a match. Each is its own pattern of the lazy
    /// DFA rather than a branch of one alternation, whose group names would
    /// clash.
    pub(crate) fn any_of(regexes: &[&str], unicode: bool, size_limit: usize) -> Option<Starts> {
        let dfa = DFA::builder()
            .syntax(syntax::Config::new().unicode(unicode).utf8(false))
            .thompson(
                thompson::Config::new()
                    .utf8(false)
                    .which_captures(thompson::WhichCaptures::None)
                    .nfa_size_limit(Some(size_limit)),
            )
            .build_many(regexes)
            .ok()?;
        Some(Starts { dfa })
    }

    /// Whether a match starts at the start of `haystack`, asked with the
    /// worker's cache for pattern `pattern`; `None` when the lazy DFA could
    /// not say (then the caller asks a whole regex). Inlined into its
    /// callers: the monorepo profile asks it millions of times, and whether the
    /// compiler inlined it on its own changed from build to build (0.2 G
    /// instructions either way).
    #[inline(always)]
    pub(crate) fn is_match(
        &self,
        (pattern, caches): (usize, &mut StartsCaches),
        haystack: &[u8],
    ) -> Option<bool> {
        let input = Input::new(haystack).anchored(Anchored::Yes).earliest(true);
        self.dfa
            .try_search_fwd(caches.of(pattern, self), &input)
            .ok()
            .map(|found| found.is_some())
    }
}

impl Starts {
    /// [`Self::is_match`] of a pattern's ASCII form (see
    /// `ScanPlan::regex`) over a text that is not all ASCII, when its
    /// answer is the Unicode form's too: a match found, or none possible,
    /// before the text's first byte outside ASCII. `None` when the search
    /// gets there undecided (then the Unicode form must be asked).
    ///
    /// Both forms agree on ASCII text, and their word boundaries are ASCII
    /// in both: a match within the ASCII bytes is a match of either form,
    /// and where the ASCII form's DFA is dead no continuation of those
    /// bytes, whatever it holds, can make either form match. A file with
    /// one `é` or `—` after the line asked about used to send every such
    /// question to the Unicode form, whose compiling (`\w` and `\s` as
    /// Unicode classes) was two thirds of the line-start DFAs' cost on a
    /// repository like documenso.
    pub(crate) fn is_match_before_non_ascii(
        &self,
        (pattern, caches): (usize, &mut StartsCaches),
        haystack: &[u8],
    ) -> Option<bool> {
        let input = Input::new(haystack).anchored(Anchored::Yes).earliest(true);
        let cache = caches.of(pattern, self);
        let mut state = self.dfa.start_state_forward(cache, &input).ok()?;
        for &byte in haystack {
            let next = self.dfa.next_state(cache, state, byte).ok()?;
            if next.is_match() {
                // Matches are seen one byte late: this one ended before
                // `byte`, with `byte` read only by look-ahead assertions,
                // which are the same in both forms.
                return Some(true);
            }
            if !byte.is_ascii() {
                return None;
            }
            if next.is_dead() {
                return Some(false);
            }
            if next.is_quit() {
                return None;
            }
            state = next;
        }
        let end = self.dfa.next_eoi_state(cache, state).ok()?;
        Some(end.is_match())
    }
}

#[cfg(test)]
mod tests {
    use super::{Starts, StartsCaches};
    use crate::scan::prefilter::LineMode;

    /// For the built-in patterns searched from their literals' lines, the
    /// lazy DFA says what the whole regex it replaces says, from every
    /// character of lines that hold matches, near misses and text outside
    /// ASCII (U+00A0 is `\s` only with Unicode).
    #[test]
    fn says_what_the_whole_regex_says() {
        let texts = [
            "  api_key = \"Zx9Qw8Er7Ty6Ui5Op4As3\"\n  password: hunter2hunter2\n",
            "const token = process.env.TOKEN || 'changeme-please-42';\n",
            "password =\u{a0}Xk29fjQ8vLmT3pZr7Wq1aB \u{e9}t\u{e9}\n",
            "password:\u{a0}\u{e9}t\u{e9}\u{e9}t\u{e9}\u{e9}t\u{e9}\u{e9}t\u{e9}\u{e9}\n",
            "token=\u{a0}\"\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\"\n",
            "api_key\u{a0}=\u{a0}'\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}\u{c5}'\n",
            "{\"dependencies\": {\"pino\": \"^8\", \"helmet\": \"7\"}}\n",
            "db := os.Getenv(\"DB_PASSWORD\")\nsecret_key_base: <%= ENV[\"SECRET\"] %>\n",
        ];
        let patterns: Vec<&str> = crate::scan::literal_table::ANALYSES
            .iter()
            .filter(|entry| entry.mode == LineMode::StartingOn)
            .map(|entry| entry.regex)
            .collect();
        assert!(patterns.len() > 50, "{}", patterns.len());
        let mut matched = 0;
        for pattern in patterns {
            let source = format!(r"^(?-u:[^\n])*?(?:{pattern})");
            let bounded = crate::scan::ascii_word_boundaries(&source);
            let whole = crate::scan::compile_regex(&source).unwrap();
            for unicode in [true, false] {
                let Some(starts) = Starts::new(&bounded, unicode, 1 << 22) else {
                    assert!(!unicode, "{pattern}");
                    continue;
                };
                let mut caches = StartsCaches::default();
                for text in texts.iter().filter(|t| unicode || t.is_ascii()) {
                    for (at, _) in text.char_indices() {
                        let expected = whole.is_match(&text.as_bytes()[at..]);
                        matched += usize::from(expected);
                        assert_eq!(
                            starts.is_match((0, &mut caches), &text.as_bytes()[at..]),
                            Some(expected),
                            "{pattern} at {at} of {text:?} (unicode: {unicode})"
                        );
                    }
                }
            }
        }
        assert!(matched > 100, "{matched}");
    }

    /// The ASCII form's answer before a text's first byte outside ASCII,
    /// when it gives one, is the whole (Unicode) regex's, for the built-in
    /// patterns searched from their lines' starts, from every character
    /// of texts with `é`, `—`, U+00A0 and the Kelvin sign before, inside
    /// and after matches and near misses.
    #[test]
    fn the_ascii_form_answers_before_text_outside_ascii() {
        let texts = [
            "  api_key = \"Zx9Qw8Er7Ty6Ui5Op4As3\" # caf\u{e9}\n  password: hunter2hunter2 \u{2014}\n",
            "const token = process.env.TOKEN || 'changeme-please-42';\n// r\u{e9}sum\u{e9}\n",
            "password =\u{a0}Xk29fjQ8vLmT3pZr7Wq1aB \u{e9}t\u{e9}\n",
            "password: \u{e9}t\u{e9}\u{e9}t\u{e9}\u{e9}t\u{e9}\u{e9}t\u{e9}\u{e9}\n",
            "token=\"ab\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}cd\"\n",
            "api_\u{212a}ey = 'abcdefghijklmnopqrstuvwxyz'\n\u{212a}\n",
            "db := os.Getenv(\"DB_PASSWORD\")\nsecret_key_base: <%= ENV[\"SECRET\"] %>\n\u{e9}\n",
            "    ENV['AWS_SECRET_ACCESS_KEY'] = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'\u{2014}\n",
            "cursor.execute(\"SELECT * FROM users WHERE name = '\u{e9}'\" % user_id)\n",
        ];
        let (mut answered, mut undecided) = (0, 0);
        for entry in crate::scan::literal_table::ANALYSES.iter().filter(|entry| {
            entry.mode == LineMode::StartingOn
                || (entry.mode == LineMode::Within && entry.line_start)
        }) {
            // As `ScanPlan::starts_source` asks it.
            let source = match entry.line_start {
                true => format!(r"^(?:{})", entry.regex),
                false => format!(r"^(?-u:[^\n])*?(?:{})", entry.regex),
            };
            let bounded = crate::scan::ascii_word_boundaries(&source);
            let whole = crate::scan::compile_regex(&source).unwrap();
            let Some(ascii) = Starts::new(&bounded, false, 1 << 22) else {
                continue;
            };
            let mut caches = StartsCaches::default();
            for text in texts {
                for (at, _) in text.char_indices() {
                    let haystack = &text.as_bytes()[at..];
                    match ascii.is_match_before_non_ascii((0, &mut caches), haystack) {
                        Some(found) => {
                            answered += 1;
                            assert_eq!(
                                found,
                                whole.is_match(haystack),
                                "{} at {at} of {text:?}",
                                entry.regex
                            );
                        }
                        None => undecided += 1,
                    }
                }
            }
        }
        // Both ways are taken: texts whose line holds the byte outside
        // ASCII leave a question that reads the whole line undecided.
        assert!(
            answered > 20_000 && undecided > 1_000,
            "{answered} answered, {undecided} not"
        );
    }
}
