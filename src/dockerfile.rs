//! A small, tolerant Dockerfile reader: stages, `FROM` images, `USER`,
//! `HEALTHCHECK`, with line numbers.
//!
//! Why not a parser crate: `dockerfile-parser` (the one maintained crate) has
//! a pest grammar without BuildKit heredocs (`RUN <<EOF`) and fails the whole
//! file on anything it does not know, while an audit must read every
//! Dockerfile it meets and only needs five instructions. Dockerfile syntax at
//! that level is line-based: instructions, `#` comments, continuation lines
//! ending in the escape character, the `# escape=` directive and heredocs,
//! all handled here.

/// One instruction, continuation lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// 1-based line the instruction starts on.
    pub line: usize,
    /// Upper-cased keyword: `FROM`, `RUN`, `USER`…
    pub keyword: String,
    /// Everything after the keyword, trimmed.
    pub args: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub line: usize,
    /// The image reference as written (`golang:1.23-alpine`, `${BASE}`).
    pub image: String,
    /// The image with `ARG` defaults declared before the first `FROM`
    /// substituted; `None` when a variable has no default.
    pub resolved: Option<String>,
    /// `AS name`, lower-cased as Docker compares it.
    pub name: Option<String>,
    pub instructions: Vec<Instruction>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub stages: Vec<Stage>,
}

/// How a `FROM` names its image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// `scratch`: the empty image, nothing to pin.
    Scratch,
    /// An earlier stage of the same Dockerfile.
    Stage(usize),
    /// A variable without a default: cannot be judged.
    Unknown,
    External {
        name: String,
        tag: Option<String>,
        digest: Option<String>,
    },
}

/// Release channels that image publishers re-point at each new version.
const MOVING_CHANNELS: &[&str] = &[
    "latest", "lts", "stable", "current", "edge", "mainline", "rolling", "nightly",
];

/// A tag that names a channel rather than a version: `latest`, or one whose
/// first word is a channel (`lts-alpine`, `stable-slim`). The variant
/// after it (`alpine`, `bookworm`) does not pin the version of what runs.
pub fn is_moving_tag(tag: &str) -> bool {
    let channel = tag.split(['-', '_']).next().unwrap_or(tag);
    MOVING_CHANNELS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(channel))
}

impl ImageRef {
    /// Pinned to a version tag or a digest, not to a channel that moves
    /// (`latest`, `lts-alpine`, `stable`).
    pub fn is_pinned(&self) -> bool {
        match self {
            ImageRef::External { tag, digest, .. } => {
                digest.is_some() || tag.as_deref().is_some_and(|t| !is_moving_tag(t))
            }
            _ => true,
        }
    }

    pub fn has_digest(&self) -> bool {
        match self {
            ImageRef::External { digest, .. } => digest.is_some(),
            _ => true,
        }
    }
}

impl Dockerfile {
    pub fn parse(text: &str) -> Dockerfile {
        let instructions = instructions(text);
        let mut global_args: Vec<(String, String)> = Vec::new();
        let mut stages: Vec<Stage> = Vec::new();
        for instruction in instructions {
            if instruction.keyword == "FROM" {
                let (image, name) = parse_from(&instruction.args);
                stages.push(Stage {
                    line: instruction.line,
                    resolved: substitute(&image, &global_args),
                    image,
                    name,
                    instructions: Vec::new(),
                });
            } else if let Some(stage) = stages.last_mut() {
                stage.instructions.push(instruction);
            } else if instruction.keyword == "ARG" {
                let arg = instruction.args.trim();
                if let Some((key, value)) = arg.split_once('=') {
                    global_args.push((key.to_string(), unquote(value).to_string()));
                }
            }
        }
        Dockerfile { stages }
    }

    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// What the `FROM` of stage `index` refers to.
    pub fn image_ref(&self, index: usize) -> ImageRef {
        let stage = &self.stages[index];
        let Some(image) = &stage.resolved else {
            return ImageRef::Unknown;
        };
        let lower = image.to_ascii_lowercase();
        if lower == "scratch" {
            return ImageRef::Scratch;
        }
        if let Some(earlier) = self.stages[..index]
            .iter()
            .position(|s| s.name.as_deref() == Some(lower.as_str()))
        {
            return ImageRef::Stage(earlier);
        }
        let (rest, digest) = match image.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest.to_string())),
            None => (image.as_str(), None),
        };
        // The tag follows the last `:` after the last `/`; a `:` before it
        // is a registry port (`localhost:5000/app`).
        let last = rest.rsplit('/').next().unwrap_or(rest);
        let (name, tag) = match last.split_once(':') {
            Some((_, tag)) => (
                rest[..rest.len() - tag.len() - 1].to_string(),
                Some(tag.to_string()),
            ),
            None => (rest.to_string(), None),
        };
        ImageRef::External { name, tag, digest }
    }

    /// The last `keyword` instruction in effect in stage `index`, following
    /// `FROM <earlier stage>` chains (a stage inherits its parent's `USER`
    /// and `HEALTHCHECK`).
    pub fn effective(&self, index: usize, keyword: &str) -> Option<&Instruction> {
        let mut current = index;
        for _ in 0..self.stages.len() {
            let stage = &self.stages[current];
            if let Some(found) = stage
                .instructions
                .iter()
                .rev()
                .find(|i| i.keyword == keyword)
            {
                return Some(found);
            }
            match self.image_ref(current) {
                ImageRef::Stage(parent) if parent < current => current = parent,
                _ => return None,
            }
        }
        None
    }

    /// Whether the instruction on `line` is part of the image the Dockerfile
    /// builds by default: its stage is the final one or one the final stage
    /// builds on (`FROM builder`). A value set in a build stage that the
    /// final stage only copies files from never reaches the running
    /// container. Lines before the first `FROM` are global and count.
    pub fn reaches_final_image(&self, line: usize) -> bool {
        let Some(stage) = self.stages.iter().rposition(|s| s.line <= line) else {
            return true;
        };
        let mut current = self.stages.len() - 1;
        for _ in 0..self.stages.len() {
            if current == stage {
                return true;
            }
            match self.image_ref(current) {
                ImageRef::Stage(parent) if parent < current => current = parent,
                _ => return false,
            }
        }
        false
    }

    /// The base image the stage ultimately builds on, following stage chains.
    pub fn base_image(&self, index: usize) -> Option<&str> {
        let mut current = index;
        for _ in 0..self.stages.len() {
            match self.image_ref(current) {
                ImageRef::Stage(parent) if parent < current => current = parent,
                _ => return self.stages[current].resolved.as_deref(),
            }
        }
        None
    }
}

/// Whether a `USER` value is root (`root`, `0`, `root:root`, `0:0`).
pub fn is_root_user(args: &str) -> bool {
    let user = args.split_whitespace().next().unwrap_or_default();
    let user = user.split(':').next().unwrap_or_default();
    user == "root" || user == "0"
}

fn unquote(value: &str) -> &str {
    let value = value.trim();
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// Substitutes `$NAME`, `${NAME}` and `${NAME:-default}` from `args`.
fn substitute(image: &str, args: &[(String, String)]) -> Option<String> {
    if !image.contains('$') {
        return Some(image.to_string());
    }
    let lookup = |name: &str| {
        args.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut rest = image;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (expr, after) = if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}')?;
            (&inner[..end], &inner[end + 1..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        let value = match expr.split_once(":-") {
            Some((name, default)) => lookup(name)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| default.to_string()),
            None => lookup(expr)?,
        };
        out.push_str(&value);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// `FROM [--platform=…] image [AS name]`.
fn parse_from(args: &str) -> (String, Option<String>) {
    let words: Vec<&str> = args
        .split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .collect();
    let image = words.first().copied().unwrap_or_default().to_string();
    let name = match words.as_slice() {
        [_, as_, name, ..] if as_.eq_ignore_ascii_case("as") => Some(name.to_ascii_lowercase()),
        _ => None,
    };
    (image, name)
}

fn instructions(text: &str) -> Vec<Instruction> {
    let lines: Vec<&str> = text.lines().collect();
    let escape = escape_char(&lines);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        let mut joined = String::new();
        loop {
            let line = lines[i].trim_end();
            let comment = line.trim_start().starts_with('#');
            i += 1;
            if comment && !joined.is_empty() {
                // Comments inside a continued instruction are dropped.
                if i >= lines.len() {
                    break;
                }
                continue;
            }
            match line.strip_suffix(escape) {
                Some(body) if i < lines.len() => {
                    joined.push_str(body);
                    joined.push(' ');
                }
                _ => {
                    joined.push_str(line);
                    break;
                }
            }
        }
        let joined = joined.trim();
        let (keyword, args) = match joined.split_once(char::is_whitespace) {
            Some((k, a)) => (k, a.trim()),
            None => (joined, ""),
        };
        // Heredoc bodies (`RUN <<EOF` … `EOF`) are data, not instructions.
        for (word, dash) in heredoc_words(args) {
            while i < lines.len() {
                let line = if dash {
                    lines[i].trim_start_matches('\t')
                } else {
                    lines[i]
                };
                i += 1;
                if line.trim_end() == word {
                    break;
                }
            }
        }
        out.push(Instruction {
            line: start + 1,
            keyword: keyword.to_ascii_uppercase(),
            args: args.to_string(),
        });
    }
    out
}

/// The `# escape=` parser directive, only valid before any instruction.
fn escape_char(lines: &[&str]) -> char {
    for line in lines {
        let Some(directive) = line.trim().strip_prefix('#') else {
            break;
        };
        if let Some((key, value)) = directive.split_once('=')
            && key.trim().eq_ignore_ascii_case("escape")
            && let Some(c) = value.trim().chars().next()
        {
            return c;
        }
    }
    '\\'
}

/// Heredoc delimiters opened by an instruction: `<<EOF`, `<<-EOF`, `<<"EOF"`.
fn heredoc_words(args: &str) -> Vec<(String, bool)> {
    let mut words = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        rest = &rest[at + 2..];
        let dash = rest.starts_with('-');
        let body = rest.trim_start_matches('-');
        let body = body.trim_start_matches(['"', '\'']);
        let word: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() {
            words.push((word, dash));
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_images_and_inheritance() {
        let text = "\
# syntax=docker/dockerfile:1
ARG GO=1.23
FROM --platform=$BUILDPLATFORM golang:${GO}-alpine AS build
RUN go build \\
    -o /out/app \\
    ./cmd/app
FROM build AS test
RUN go test ./...
FROM gcr.io/distroless/static@sha256:0123 AS final
COPY --from=build /out/app /app
USER nonroot:nonroot
HEALTHCHECK CMD [\"/app\", \"health\"]
";
        let file = Dockerfile::parse(text);
        assert_eq!(file.stages.len(), 3);
        assert_eq!(
            file.stages[0].resolved.as_deref(),
            Some("golang:1.23-alpine")
        );
        assert_eq!(file.stages[0].instructions[0].line, 4);
        assert_eq!(file.stages[1].line, 7);
        assert_eq!(file.image_ref(1), ImageRef::Stage(0));
        assert_eq!(
            file.image_ref(0),
            ImageRef::External {
                name: "golang".into(),
                tag: Some("1.23-alpine".into()),
                digest: None
            }
        );
        assert!(file.image_ref(2).has_digest());
        let user = file.effective(2, "USER").unwrap();
        assert_eq!(user.line, 11);
        assert!(!is_root_user(&user.args));
        assert!(file.effective(1, "USER").is_none());
    }

    #[test]
    fn latest_untagged_and_registry_ports() {
        let file = Dockerfile::parse(
            "FROM node\nFROM node:latest\nFROM localhost:5000/app\nFROM localhost:5000/app:1.2\nFROM scratch\nFROM $UNKNOWN\n",
        );
        let pinned: Vec<bool> = (0..6).map(|i| file.image_ref(i).is_pinned()).collect();
        assert_eq!(pinned, [false, false, false, true, true, true]);
        assert_eq!(file.image_ref(5), ImageRef::Unknown);
    }

    #[test]
    fn release_channels_are_not_versions() {
        let file = Dockerfile::parse(
            "FROM node:lts-alpine\nFROM debian:stable-slim\nFROM node:22-alpine\nFROM python:3.12-slim-bookworm\nFROM golang:alpine3.20\n",
        );
        let pinned: Vec<bool> = (0..5).map(|i| file.image_ref(i).is_pinned()).collect();
        assert_eq!(pinned, [false, false, true, true, true]);
    }

    #[test]
    fn heredocs_and_comments_are_not_instructions() {
        let text = "FROM alpine:3.20\nRUN <<EOF\nUSER root\nFROM evil\nEOF\n# USER app\nUSER 0\n";
        let file = Dockerfile::parse(text);
        assert_eq!(file.stages.len(), 1);
        let user = file.effective(0, "USER").unwrap();
        assert_eq!(user.line, 7);
        assert!(is_root_user(&user.args));
    }

    #[test]
    fn escape_directive_changes_the_continuation_character() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\nUSER ContainerUser\n";
        let file = Dockerfile::parse(text);
        let stage = &file.stages[0];
        assert_eq!(stage.instructions.len(), 2);
        assert_eq!(stage.instructions[1].keyword, "USER");
    }

    #[test]
    fn only_the_final_stage_and_its_parents_reach_the_image() {
        let text = "ARG V=1\nFROM node:20 AS deps\nENV A=1\nFROM deps AS builder\nENV B=2\n\
                    FROM node:20 AS tools\nENV C=3\nFROM builder AS runner\nCOPY --from=tools /x /x\n";
        let file = Dockerfile::parse(text);
        assert!(file.reaches_final_image(1), "global ARG");
        assert!(file.reaches_final_image(3), "deps is an ancestor of runner");
        assert!(file.reaches_final_image(5), "builder is runner's parent");
        assert!(!file.reaches_final_image(7), "tools is only copied from");
        assert!(file.reaches_final_image(9), "the final stage");
    }
}
