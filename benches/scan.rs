//! Micro-benchmarks of the scanner's parts: literal analysis, content
//! matching, line location and the structured parsers.
//!
//! ```sh
//! cargo bench --bench scan
//! ```
//!
//! Timing goals for whole audits live in `bench/run.sh` and
//! `docs/performance.md`, not here.

use readyctl::Catalog;
use readyctl::dockerfile::Dockerfile;
use readyctl::document::{Documents, Format};
use readyctl::scan::{compile_regex, required_literals};

fn main() {
    divan::main();
}

fn patterns() -> Vec<String> {
    let catalog = Catalog::builtin().expect("built-in packs load");
    let mut seen = std::collections::HashSet::new();
    readyctl::engine::content_patterns(&catalog)
        .into_iter()
        .map(|(_, regex)| regex)
        .filter(|regex| seen.insert(regex.clone()))
        .collect()
}

/// About 1 MiB of ordinary source code with one credential near the end.
fn source() -> Vec<u8> {
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 1 << 20 {
        text.push_str(&format!(
            "func handler{i}(w http.ResponseWriter, r *http.Request) error {{\n\tcount := len(r.Header) + {i}\n\treturn nil\n}}\n"
        ));
        i += 1;
    }
    text.push_str("var key = \"ghp_4Hk2x9QmZr7TbW1pLc8VnY3sDfGhJkL0aBcD\"\n");
    text.into_bytes()
}

#[divan::bench]
fn literal_analysis(bencher: divan::Bencher) {
    let patterns = patterns();
    bencher.bench(|| {
        patterns
            .iter()
            .filter(|p| required_literals(p).is_some())
            .count()
    });
}

/// What a file with no candidate costs: one search per pattern (the scanner
/// runs only the patterns whose literal the prefilter found).
#[divan::bench(args = [1, 10, 100])]
fn matching_regexes(bencher: divan::Bencher, count: usize) {
    let regexes: Vec<_> = patterns()
        .iter()
        .take(count)
        .filter_map(|p| compile_regex(p).ok())
        .collect();
    let text = source();
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| regexes.iter().filter(|r| r.is_match(&text)).count());
}

/// Line of a hit: newlines counted up to the match, as the scanner does only
/// for files with hits.
#[divan::bench]
fn line_location(bencher: divan::Bencher) {
    let text = source();
    let at = memchr::memmem::rfind(&text, b"ghp_").expect("planted");
    bencher.bench(|| 1 + memchr::memchr_iter(b'\n', &text[..at]).count());
}

const YAML: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.2.3\n          resources:\n            limits: { memory: 256Mi, cpu: 500m }\n          readinessProbe:\n            httpGet: { path: /ready, port: 8080 }\n";

#[divan::bench]
fn parse_yaml() -> Documents {
    Documents::parse(Format::Yaml, divan::black_box(YAML))
}

#[divan::bench]
fn parse_json() -> Documents {
    Documents::parse(
        Format::Json,
        divan::black_box(
            r#"{"name":"api","scripts":{"test":"vitest","lint":"eslint ."},"dependencies":{"express":"^4.19.2","pino":"^9.0.0"}}"#,
        ),
    )
}

#[divan::bench]
fn parse_toml() -> Documents {
    Documents::parse(
        Format::Toml,
        divan::black_box(
            "[package]\nname = \"api\"\nversion = \"0.1.0\"\n\n[dependencies]\naxum = \"0.7\"\ntokio = { version = \"1\", features = [\"full\"] }\n",
        ),
    )
}

#[divan::bench]
fn parse_dockerfile() -> Dockerfile {
    Dockerfile::parse(divan::black_box(
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/api\n\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\nUSER nonroot\nHEALTHCHECK CMD [\"/app\", \"health\"]\nENTRYPOINT [\"/app\"]\n",
    ))
}
