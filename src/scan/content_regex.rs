//! The content regexes the scan and the report's redactor search with,
//! compiled for how they are searched.
//!
//! A `regex::bytes::Regex` extracts literals from its pattern to build a
//! prefilter (and, from an inner literal, a reverse "inner" engine) so that
//! a search can skip to where a match may start. The scan only runs a
//! pattern on the lines its own literal pass found (see
//! [`super::prefilter`]), where there is nothing to skip, and the redactor
//! on short strings; yet that extraction was a third of the instructions of
//! compiling the built-in patterns without Unicode and a fifth with it
//! (`(?i)` literals explode into their case variants). These regexes are
//! the same `regex-automata` meta regexes the `regex` crate builds, with
//! the same syntax, match semantics and limits, and with its prefilter
//! only for the patterns searched over whole files. A prefilter never
//! changes what a search finds, only how fast it gets there; the API
//! mirrors the `regex::bytes::Regex` calls the scan makes.

use regex_automata::meta;
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_automata::{Input, Match, MatchKind, PatternID};

/// What `regex::bytes::RegexBuilder` leaves the lazy DFA's cache at.
const CACHE_CAPACITY: usize = 2 * (1 << 20);

/// A content regex (see the module documentation).
#[derive(Debug, Clone)]
pub(crate) struct ContentRegex {
    meta: meta::Regex,
}

/// The capture positions of a [`ContentRegex`]'s last match, as
/// `regex::bytes::CaptureLocations`.
#[derive(Debug, Clone)]
pub(crate) struct Locations(Captures);

impl Locations {
    /// The span of group `index` in the last match, if it took part.
    pub(crate) fn get(&self, index: usize) -> Option<(usize, usize)> {
        self.0.get_group(index).map(|span| (span.start, span.end))
    }
}

impl ContentRegex {
    /// `regex` (its word boundaries already made ASCII) as
    /// `regex::bytes::RegexBuilder::new(regex).unicode(unicode)
    /// .size_limit(size_limit)` compiles it, with a prefilter only when
    /// `prefilter` is set.
    pub(crate) fn new(
        regex: &str,
        unicode: bool,
        prefilter: bool,
        size_limit: usize,
    ) -> Result<ContentRegex, Box<meta::BuildError>> {
        let config = meta::Config::new()
            .match_kind(MatchKind::LeftmostFirst)
            .utf8_empty(false)
            .nfa_size_limit(Some(size_limit))
            .hybrid_cache_capacity(CACHE_CAPACITY)
            .auto_prefilter(prefilter);
        let meta = meta::Builder::new()
            .configure(config)
            .syntax(syntax::Config::new().unicode(unicode).utf8(false))
            .build(regex)
            .map_err(Box::new)?;
        Ok(ContentRegex { meta })
    }

    /// The first match in `haystack` starting at or after `start`; the
    /// bytes before `start` are context for assertions.
    pub(crate) fn find_at(&self, haystack: &[u8], start: usize) -> Option<Match> {
        self.meta
            .search(&Input::new(haystack).span(start..haystack.len()))
    }

    /// [`Self::find_at`], recording the groups in `locations`.
    pub(crate) fn captures_read_at(
        &self,
        locations: &mut Locations,
        haystack: &[u8],
        start: usize,
    ) -> Option<Match> {
        let input = Input::new(haystack).span(start..haystack.len());
        self.meta.search_captures(&input, &mut locations.0);
        locations.0.get_match()
    }

    /// Room for the groups of one match.
    pub(crate) fn capture_locations(&self) -> Locations {
        Locations(self.meta.create_captures())
    }

    /// The names of the groups, in order (`None` for unnamed ones, the
    /// whole match first).
    pub(crate) fn capture_names(&self) -> impl Iterator<Item = Option<&str>> {
        self.meta.group_info().pattern_names(PatternID::ZERO)
    }

    /// Whether `haystack` holds a match.
    pub(crate) fn is_match(&self, haystack: &[u8]) -> bool {
        self.meta.is_match(haystack)
    }

    /// Per match in `haystack`, in order: the span of group `group` when
    /// given and it took part, else of the whole match.
    pub(crate) fn spans(&self, haystack: &[u8], group: Option<usize>) -> Vec<(usize, usize)> {
        self.meta
            .captures_iter(haystack)
            .filter_map(|c| {
                group
                    .and_then(|g| c.get_group(g))
                    .or_else(|| c.get_match().map(|m| m.span()))
            })
            .map(|span| (span.start, span.end))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::ContentRegex;
    use regex::bytes::RegexBuilder;

    /// Every built-in pattern, compiled both ways with and without the
    /// prefilter, finds what `regex::bytes::Regex` finds (matches, groups,
    /// from every offset, and iterated) on texts with matches, near misses
    /// and characters outside ASCII.
    #[test]
    fn finds_what_the_regex_crate_finds() {
        let texts = [
            "  api_key = \"Zx9Qw8Er7Ty6Ui5Op4As3\"\n  password: hunter2hunter2\n",
            "const token = process.env.TOKEN || 'changeme-please-42';\nAKIAQWERTYUIOPASDFGH\n",
            "password =\u{a0}Xk29fjQ8vLmT3pZr7Wq1aB \u{e9}t\u{e9}\n\u{212a}ey: \u{17f}ecret\n",
            "{\"dependencies\": {\"pino\": \"^8\", \"helmet\": \"7\"}}\nSK0123456789abcdef0123456789abcdef\n",
            "db := os.Getenv(\"DB_PASSWORD\")\nsecret_key_base: <%= ENV[\"SECRET\"] %>\n## Backups\npg_dump nightly\n",
            "postgres://admin:s3cr3tP4ss@db.example.com:5432/app\n-----BEGIN RSA PRIVATE KEY-----\n",
        ];
        let mut found = 0;
        for entry in crate::scan::literal_table::ANALYSES {
            let pattern = crate::scan::ascii_word_boundaries(entry.regex);
            for unicode in [true, false] {
                let Ok(expected) = RegexBuilder::new(&pattern)
                    .unicode(unicode)
                    .size_limit(1 << 22)
                    .build()
                else {
                    assert!(!unicode, "{pattern}");
                    assert!(ContentRegex::new(&pattern, false, false, 1 << 22).is_err());
                    continue;
                };
                for prefilter in [true, false] {
                    let regex = ContentRegex::new(&pattern, unicode, prefilter, 1 << 22).unwrap();
                    assert!(
                        regex.capture_names().eq(expected.capture_names()),
                        "{pattern}"
                    );
                    for text in texts.iter().filter(|t| unicode || t.is_ascii()) {
                        let text = text.as_bytes();
                        let mut locations = regex.capture_locations();
                        let mut expected_locations = expected.capture_locations();
                        for at in 0..=text.len() {
                            let want = expected.find_at(text, at).map(|m| (m.start(), m.end()));
                            let got = regex.find_at(text, at).map(|m| (m.start(), m.end()));
                            assert_eq!(got, want, "{pattern} at {at} (unicode: {unicode})");
                            found += usize::from(want.is_some());
                            let got = regex
                                .captures_read_at(&mut locations, text, at)
                                .map(|m| (m.start(), m.end()));
                            expected.captures_read_at(&mut expected_locations, text, at);
                            assert_eq!(got, want, "{pattern} at {at}");
                            for group in 0..expected_locations.len() {
                                assert_eq!(
                                    locations.get(group),
                                    expected_locations.get(group),
                                    "{pattern} group {group} at {at}"
                                );
                            }
                        }
                        assert_eq!(regex.is_match(text), expected.is_match(text), "{pattern}");
                        for group in [None, Some(1)] {
                            let want: Vec<(usize, usize)> = expected
                                .captures_iter(text)
                                .filter_map(|c| group.and_then(|g| c.get(g)).or_else(|| c.get(0)))
                                .map(|m| (m.start(), m.end()))
                                .collect();
                            assert_eq!(regex.spans(text, group), want, "{pattern}");
                        }
                    }
                }
            }
        }
        assert!(found > 1000, "{found}");
    }
}
