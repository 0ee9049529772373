//! A deterministic synthetic repository for benchmarks.
//!
//! ```sh
//! cargo run --release --example gen-repo -- [--profile P] OUT_DIR [FILES] [TOTAL_SIZE] [SEED]
//! cargo run --release --example gen-repo -- /tmp/bench-repo 20000 200M 42
//! cargo run --release --example gen-repo -- --profile monorepo /tmp/mono 20000 200M 42
//! ```
//!
//! Profiles: `uniform` (the default, described here) and `monorepo`
//! (Kubernetes manifests, Helm charts, `.env*` files and code full of
//! credential vocabulary; see `monorepo.rs`). Both plant the same secrets.
//!
//! Writes FILES source files (Go, TypeScript, Python, Rust, Java, YAML,
//! Markdown, and about one in a hundred binary files) of about TOTAL_SIZE
//! bytes together, a quarter as many again under an ignored `node_modules/`,
//! the files a readiness audit looks for (Dockerfile, CI workflow, README), and
//! `OUT_DIR/../<name>.manifest.json` (next to the tree, so the tree holds
//! nothing a scanner should not see) listing:
//!
//! - `secrets`: planted credentials of a dozen kinds the secrets pack detects,
//!   each with path, line and kind: every one must be reported;
//! - `decoys`: look-alikes (AWS's documented example key, placeholders) that
//!   must not be;
//! - `ignored`: credentials under `node_modules/`, excluded by `.gitignore`,
//!   that must not be either.
//!
//! The same arguments give byte-identical trees.

mod monorepo;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    Uniform,
    Monorepo,
}

/// splitmix64: tiny, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| *self.pick(alphabet) as char).collect()
    }
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";
const URLSAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const DIGITS: &[u8] = b"0123456789";

const WORDS: &[&str] = &[
    "order", "invoice", "customer", "account", "ledger", "report", "cache", "queue", "worker",
    "handler", "request", "response", "session", "profile", "catalog", "price", "stock",
    "shipment", "route", "metric", "event", "batch", "record", "schema", "index", "result",
    "buffer", "client", "server", "payload", "status", "region", "tenant", "billing", "audit",
];

/// One planted value: the text to write and the kind the manifest records.
fn secret(rng: &mut Rng, kind: usize) -> (&'static str, String) {
    match kind % 12 {
        0 => (
            "aws-access-key-id",
            format!("AKIA{}", rng.chars(UPPER_B32, 16)),
        ),
        1 => ("github-pat", format!("ghp_{}", rng.chars(ALNUM, 36))),
        2 => (
            "stripe-live-key",
            format!("sk_live_{}", rng.chars(ALNUM, 32)),
        ),
        // A key with its body, on one line with `\n` escapes as code
        // embeds it: a header alone is a mention, not a key.
        3 => (
            "private-key",
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\\n{}\\n-----END RSA PRIVATE KEY-----",
                rng.chars(ALNUM, 64)
            ),
        ),
        4 => (
            "slack-token",
            format!(
                "xoxb-{}-{}-{}",
                rng.chars(DIGITS, 12),
                rng.chars(DIGITS, 13),
                rng.chars(ALNUM, 24)
            ),
        ),
        5 => ("gitlab-pat", format!("glpat-{}", rng.chars(ALNUM, 20))),
        6 => ("npm-token", format!("npm_{}", rng.chars(ALNUM, 36))),
        7 => ("google-api-key", format!("AIza{}", rng.chars(URLSAFE, 35))),
        8 => (
            "sendgrid-key",
            format!("SG.{}.{}", rng.chars(ALNUM, 22), rng.chars(ALNUM, 43)),
        ),
        9 => (
            "openai-key",
            format!(
                "sk-proj-{}T3BlbkFJ{}",
                rng.chars(ALNUM, 24),
                rng.chars(ALNUM, 24)
            ),
        ),
        10 => (
            "digitalocean-token",
            format!("dop_v1_{}", rng.chars(HEX, 64)),
        ),
        _ => (
            "anthropic-key",
            format!("sk-ant-api03-{}AA", rng.chars(ALNUM, 93)),
        ),
    }
}

/// Look-alikes a good scanner leaves alone: documented examples and
/// placeholders that match a credential's shape.
const DECOYS: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "sk_live_placeholderPLACEHOLDER0000",
    "glpat-xxxxxxxxxxxxxxxxxxxx",
    "npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "AKIAXXXXXXXXXXXXXXXX",
];

#[derive(Clone, Copy)]
enum Lang {
    Go,
    Ts,
    Py,
    Rs,
    Java,
    Yaml,
    Md,
}

const LANGS: &[Lang] = &[
    Lang::Go,
    Lang::Ts,
    Lang::Py,
    Lang::Rs,
    Lang::Java,
    Lang::Yaml,
    Lang::Md,
];

impl Lang {
    fn ext(self) -> &'static str {
        match self {
            Lang::Go => "go",
            Lang::Ts => "ts",
            Lang::Py => "py",
            Lang::Rs => "rs",
            Lang::Java => "java",
            Lang::Yaml => "yaml",
            Lang::Md => "md",
        }
    }

    /// A line assigning a string literal to a neutrally named variable.
    fn assignment(self, name: &str, value: &str) -> String {
        match self {
            Lang::Go => format!("\tvar {name} = \"{value}\""),
            Lang::Ts => format!("const {name} = \"{value}\";"),
            Lang::Py => format!("{name} = \"{value}\""),
            Lang::Rs => format!("    let {name} = \"{value}\";"),
            Lang::Java => format!("    String {name} = \"{value}\";"),
            Lang::Yaml => format!("{name}: \"{value}\""),
            Lang::Md => format!("The fixture value is `{value}` for {name}."),
        }
    }

    /// An ordinary line of code (or prose) of this language.
    fn line(self, rng: &mut Rng, n: usize) -> String {
        let a = rng.pick(WORDS);
        let b = rng.pick(WORDS);
        let c = rng.pick(WORDS);
        let k = rng.below(1000);
        match (self, n % 6) {
            (Lang::Go, 0) => format!("func {a}{k}({b} *{c}) error {{"),
            (Lang::Go, 1) => format!("\tif err := {a}.Load({b}, {k}); err != nil {{"),
            (Lang::Go, 2) => "\t\treturn err".to_string(),
            (Lang::Go, 3) => "\t}".to_string(),
            (Lang::Go, 4) => format!("\t// {a} keeps the {b} in step with the {c}."),
            (Lang::Go, _) => format!("\t{a}Count += len({b}.{c}s) // {k}"),
            (Lang::Ts, 0) => format!("export function {a}{k}({b}: {c}): number {{"),
            (Lang::Ts, 1) => format!("  const {a} = await fetch{b}({c}, {k});"),
            (Lang::Ts, 2) => format!("  return {a}.length + {k};"),
            (Lang::Ts, 3) => "}".to_string(),
            (Lang::Ts, 4) => format!("// {a} is derived from the {b} and the {c}."),
            (Lang::Ts, _) => format!("import {{ {a} }} from \"./{b}/{c}\";"),
            (Lang::Py, 0) => format!("def {a}_{k}({b}, {c}=None):"),
            (Lang::Py, 1) => format!("    \"\"\"Return the {a} for a {b}.\"\"\""),
            (Lang::Py, 2) => format!("    {a} = [{b} for {b} in {c} if {b}]"),
            (Lang::Py, 3) => format!("    return len({a}) + {k}"),
            (Lang::Py, 4) => String::new(),
            (Lang::Py, _) => format!("from .{a} import {b}_{c}"),
            (Lang::Rs, 0) => format!("pub fn {a}_{k}({b}: &{c}) -> usize {{"),
            (Lang::Rs, 1) => format!("    let {a} = {b}.iter().filter(|x| x.{c}).count();"),
            (Lang::Rs, 2) => format!("    {a} + {k}"),
            (Lang::Rs, 3) => "}".to_string(),
            (Lang::Rs, 4) => format!("/// The {a} of a {b}, counted per {c}."),
            (Lang::Rs, _) => format!("use crate::{a}::{b};"),
            (Lang::Java, 0) => format!("    public int {a}{k}(List<{b}> {c}) {{"),
            (Lang::Java, 1) => format!("        int {a} = {c}.size() * {k};"),
            (Lang::Java, 2) => format!("        return {a} + {b}.hashCode();"),
            (Lang::Java, 3) => "    }".to_string(),
            (Lang::Java, 4) => format!("    // {a}: see the {b} {c} notes"),
            (Lang::Java, _) => format!("import com.example.{a}.{b};"),
            (Lang::Yaml, 0) => format!("{a}_{k}:"),
            (Lang::Yaml, 1) => format!("  {b}: {k}"),
            (Lang::Yaml, 2) => format!("  {c}: \"{a} {b}\""),
            (Lang::Yaml, 3) => format!("  - name: {a}-{b}"),
            (Lang::Yaml, 4) => format!("    replicas: {}", k % 7),
            (Lang::Yaml, _) => format!("# {a} settings for the {c}"),
            (Lang::Md, 0) => format!("## The {a} {b}"),
            (Lang::Md, 1) => String::new(),
            (Lang::Md, 2) => format!("Each {a} has a {b}; the {c} is computed nightly."),
            (Lang::Md, 3) => format!("- {a}: {k} per {b}"),
            (Lang::Md, 4) => format!("See the {c} guide for how a {a} reaches a {b}."),
            (Lang::Md, _) => format!("The {a} and the {b} are kept for {k} days."),
        }
    }
}

#[derive(serde::Serialize)]
struct Planted {
    path: String,
    line: usize,
    kind: String,
}

#[derive(serde::Serialize)]
struct Manifest {
    profile: &'static str,
    seed: u64,
    files: usize,
    ignored_files: usize,
    bytes: u64,
    secrets: Vec<Planted>,
    decoys: Vec<Planted>,
    ignored: Vec<Planted>,
}

fn parse_size(text: &str) -> u64 {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let n: u64 = digits
        .parse()
        .expect("TOTAL_SIZE: a number, optionally K, M or G");
    n * match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        other => panic!("unknown size unit `{other}`"),
    }
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create directory");
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Text of about `size` bytes in `lang`, with `plants` (name, value) lines
/// placed at evenly spread lines; returns the text and the plants' lines.
fn source(
    rng: &mut Rng,
    profile: Profile,
    lang: Lang,
    size: usize,
    plants: &[String],
) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(size + 256);
    let mut lines = 0;
    let mut planted = Vec::new();
    let spacing = size / (plants.len() + 1);
    let mut next = 0;
    while text.len() < size || next < plants.len() {
        if next < plants.len() && text.len() >= spacing * (next + 1) {
            let name = format!("{}{}", rng.pick(WORDS), lines);
            text.push_str(&lang.assignment(&name, &plants[next]));
            text.push('\n');
            lines += 1;
            planted.push(lines);
            next += 1;
            continue;
        }
        let line = match profile {
            Profile::Monorepo => monorepo::secretish_line(lang, rng),
            Profile::Uniform => None,
        }
        .unwrap_or_else(|| lang.line(rng, lines));
        text.push_str(&line);
        text.push('\n');
        lines += 1;
    }
    (text, planted)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut profile = Profile::Uniform;
    if args.first().is_some_and(|a| a == "--profile") && args.len() >= 2 {
        profile = match args[1].as_str() {
            "uniform" => Profile::Uniform,
            "monorepo" => Profile::Monorepo,
            other => panic!("unknown profile `{other}` (uniform, monorepo)"),
        };
        args.drain(..2);
    }
    if args.is_empty() || args[0] == "-h" || args[0] == "--help" {
        eprintln!(
            "usage: gen-repo [--profile uniform|monorepo] OUT_DIR [FILES=20000] [TOTAL_SIZE=200M] [SEED=42]"
        );
        std::process::exit(2);
    }
    let out = PathBuf::from(&args[0]);
    let files: usize = args.get(1).map_or(20_000, |a| a.parse().expect("FILES"));
    let total = args.get(2).map_or(200 << 20, |a| parse_size(a));
    let seed: u64 = args.get(3).map_or(42, |a| a.parse().expect("SEED"));
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("remove the previous tree");
    }
    let mut rng = Rng(seed);
    let mut manifest = Manifest {
        profile: match profile {
            Profile::Uniform => "uniform",
            Profile::Monorepo => "monorepo",
        },
        seed,
        files: 0,
        ignored_files: 0,
        bytes: 0,
        secrets: Vec::new(),
        decoys: Vec::new(),
        ignored: Vec::new(),
    };

    // The files a readiness audit looks for.
    let fixed: &[(&str, &str)] = &[
        (".gitignore", "node_modules/\n*.log\n"),
        (
            "README.md",
            "# bench-monorepo\n\nA synthetic monorepo for readyctl benchmarks.\n\n## Running\n\n`make run`\n",
        ),
        (
            "Dockerfile",
            "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app ./cmd/api\n\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\nUSER nonroot\nHEALTHCHECK CMD [\"/app\", \"health\"]\nENTRYPOINT [\"/app\"]\n",
        ),
        (
            ".github/workflows/ci.yml",
            "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: go test ./...\n      - run: golangci-lint run\n",
        ),
        ("go.mod", "module example.com/bench\n\ngo 1.22\n"),
    ];
    for (path, text) in fixed {
        write(&out.join(path), text.as_bytes());
        manifest.files += 1;
        manifest.bytes += text.len() as u64;
    }

    // A secret every ~1,500 files (at least a dozen: one of each kind), a
    // decoy every ~2,000 (at least one of each).
    let secret_count = (files / 1500).max(12);
    let decoy_count = (files / 2000).max(DECOYS.len());
    let average = (total / files.max(1) as u64).max(64) as usize;
    let mut secret_files = Vec::new();
    for i in 0..secret_count {
        secret_files.push((i * files / secret_count + 7) % files.max(1));
    }
    let mut decoy_files = Vec::new();
    for i in 0..decoy_count {
        decoy_files.push((i * files / decoy_count + 13) % files.max(1));
    }
    let mut next_secret = 0;
    for index in 0..files {
        let service = format!("services/svc{:03}", index % 97);
        let module = rng.pick(WORDS);
        if index % 100 == 42 {
            // Binary: a NUL in the first bytes, like an image or an archive.
            let size = 256 + rng.below(average);
            let mut bytes = vec![0x89, b'P', b'N', b'G', 0, 0, 0, 0];
            bytes.extend((0..size).map(|_| rng.next() as u8));
            write(
                &out.join(format!("{service}/assets/{module}{index}.png")),
                &bytes,
            );
            manifest.files += 1;
            manifest.bytes += bytes.len() as u64;
            continue;
        }
        let planted = (next_secret < secret_files.len() && secret_files[next_secret] == index)
            || decoy_files.contains(&index);
        let lang = match profile {
            Profile::Uniform => *rng.pick(LANGS),
            Profile::Monorepo => match monorepo::kind(&mut rng, planted) {
                monorepo::Kind::Code(lang) => lang,
                monorepo::Kind::Kubernetes => {
                    let size = average * 3 / 5 + rng.below(average * 6 / 5 + 1);
                    let text = monorepo::kubernetes(&mut rng, &service, size);
                    let path = format!("deploy/k8s/{service}/{module}-{index}.yaml");
                    write(&out.join(&path), text.as_bytes());
                    manifest.files += 1;
                    manifest.bytes += text.len() as u64;
                    continue;
                }
                monorepo::Kind::Env => {
                    let size = 512 + rng.below(2048);
                    let text = monorepo::env(&mut rng, size);
                    let name = monorepo::env_name(&mut rng);
                    let path = format!("{service}/{module}{index}/{name}");
                    write(&out.join(&path), text.as_bytes());
                    manifest.files += 1;
                    manifest.bytes += text.len() as u64;
                    continue;
                }
            },
        };
        // Sizes spread evenly between 0.4 and 1.6 times the average.
        let size = average * 2 / 5 + rng.below(average * 6 / 5 + 1);
        let mut plants = Vec::new();
        let mut kinds = Vec::new();
        while next_secret < secret_files.len() && secret_files[next_secret] == index {
            let (kind, value) = secret(&mut rng, next_secret);
            plants.push(value);
            kinds.push((kind, true));
            next_secret += 1;
        }
        for (d, _) in decoy_files.iter().enumerate().filter(|(_, f)| **f == index) {
            plants.push(DECOYS[d % DECOYS.len()].to_string());
            kinds.push(("decoy", false));
        }
        let (text, lines) = source(&mut rng, profile, lang, size, &plants);
        let path = format!("{service}/{module}/{module}_{index}.{}", lang.ext());
        for ((kind, real), line) in kinds.iter().zip(lines) {
            let planted = Planted {
                path: path.clone(),
                line,
                kind: kind.to_string(),
            };
            if *real {
                manifest.secrets.push(planted);
            } else {
                manifest.decoys.push(planted);
            }
        }
        write(&out.join(&path), text.as_bytes());
        manifest.files += 1;
        manifest.bytes += text.len() as u64;
    }

    // A Helm chart per service (counted among the files).
    if profile == Profile::Monorepo {
        for index in 0..97 {
            let service = format!("services/svc{index:03}");
            for (path, text) in monorepo::helm_chart(&service) {
                write(
                    &out.join(format!("charts/svc{index:03}/{path}")),
                    text.as_bytes(),
                );
                manifest.files += 1;
                manifest.bytes += text.len() as u64;
            }
        }
    }

    // Ignored: a quarter as many files again, small, one in fifty with a
    // real-looking credential that must not be reported.
    let ignored = files / 4;
    for index in 0..ignored {
        let package = format!("node_modules/pkg{:04}", index % 400);
        let mut plants = Vec::new();
        let mut kind = None;
        if index % 50 == 3 {
            let (k, value) = secret(&mut rng, index);
            plants.push(value);
            kind = Some(k);
        }
        let size = 512 + rng.below(average / 2 + 1);
        let (text, lines) = source(&mut rng, profile, Lang::Ts, size, &plants);
        let path = format!("{package}/lib/file{index}.ts");
        if let (Some(kind), Some(line)) = (kind, lines.first()) {
            manifest.ignored.push(Planted {
                path: path.clone(),
                line: *line,
                kind: kind.to_string(),
            });
        }
        write(&out.join(&path), text.as_bytes());
        manifest.ignored_files += 1;
    }

    let name = out
        .file_name()
        .map_or("repo".into(), |n| n.to_string_lossy().into_owned());
    let manifest_path = out.with_file_name(format!("{name}.manifest.json"));
    let mut json = serde_json::to_string_pretty(&manifest).expect("manifest");
    json.push('\n');
    write(&manifest_path, json.as_bytes());
    let mut summary = String::new();
    let _ = write!(
        summary,
        "{}: {} files, {} bytes, {} secrets, {} decoys; {} ignored files with {} secrets; manifest {}",
        out.display(),
        manifest.files,
        manifest.bytes,
        manifest.secrets.len(),
        manifest.decoys.len(),
        manifest.ignored_files,
        manifest.ignored.len(),
        manifest_path.display()
    );
    eprintln!("{summary}");
}
