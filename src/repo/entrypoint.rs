//! Whether a container that starts as root drops to another user in its
//! entrypoint script (`exec gosu app "$@"`, `su-exec 10001 …`): the PUID/PGID
//! pattern of self-hosted images, which start as root only to fix volume
//! ownership. The script is found through the image's `ENTRYPOINT` (or
//! `CMD`) and the `COPY` that put it there, among the repository's files.

use crate::dockerfile::Dockerfile;

/// Wrappers an entrypoint may start before the script itself.
const WRAPPERS: &[&str] = &[
    "tini",
    "dumb-init",
    "sh",
    "bash",
    "ash",
    "dash",
    "/bin/sh",
    "/bin/bash",
    "/sbin/tini",
    "/usr/bin/tini",
    "/usr/bin/dumb-init",
    "exec",
    "--",
    "-c",
    "-g",
    "-e",
];

/// Tools that run their command as another user.
const DROP_TOOLS: &[&str] = &[
    "gosu",
    "su-exec",
    "s6-setuidgid",
    "setuidgid",
    "chpst",
    "runuser",
    "setpriv",
];

/// A privilege drop found in an entrypoint script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeDrop {
    /// The script's path in the repository.
    pub script: String,
    /// 1-based line of the drop.
    pub line: usize,
    pub tool: String,
}

/// The privilege drop in the script the final stage of `dockerfile` starts,
/// if that script is one of `scripts` (repository path, text).
pub fn privilege_drop<'a>(
    dockerfile: &Dockerfile,
    scripts: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<PrivilegeDrop> {
    let last = dockerfile.stages.len().checked_sub(1)?;
    let start = dockerfile
        .effective(last, "ENTRYPOINT")
        .or_else(|| dockerfile.effective(last, "CMD"))?;
    let target = started_script(&start.args)?;
    let source = copied_from(dockerfile, &target)?;
    let script = find_script(&source, scripts)?;
    let (line, tool) = drop_line(script.1)?;
    Some(PrivilegeDrop {
        script: script.0.to_string(),
        line,
        tool,
    })
}

/// The first argument of an `ENTRYPOINT`/`CMD` (exec or shell form) that is
/// not a wrapper or a flag.
fn started_script(args: &str) -> Option<String> {
    let args = args.trim();
    let words: Vec<String> = match serde_json::from_str::<Vec<String>>(args) {
        Ok(list) => list,
        Err(_) => args.split_whitespace().map(str::to_string).collect(),
    };
    words
        .into_iter()
        .find(|w| !WRAPPERS.contains(&w.as_str()) && !w.starts_with('-'))
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// The source of the `COPY`/`ADD` (in any stage) that put `target` into the
/// image: its destination is `target`, ends in `target`'s file name (a
/// destination spelled with a variable such as `$APP_HOME/run.sh`), or is
/// a folder holding a source of that name.
fn copied_from(dockerfile: &Dockerfile, target: &str) -> Option<String> {
    let name = base_name(target);
    dockerfile
        .stages
        .iter()
        .flat_map(|s| &s.instructions)
        .filter(|i| i.keyword == "COPY" || i.keyword == "ADD")
        .find_map(|i| {
            let words: Vec<&str> = i
                .args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let (dest, sources) = words.split_last()?;
            if *dest == target || (!dest.ends_with('/') && base_name(dest) == name) {
                return sources.first().map(|s| s.to_string());
            }
            sources
                .iter()
                .find(|s| dest.ends_with('/') && base_name(s) == name)
                .map(|s| s.to_string())
        })
}

/// The repository file `source` names: the longest path suffix of it that
/// one file ends with (a `COPY --from` stage path such as
/// `/build/scripts/entrypoint.sh` still ends in `scripts/entrypoint.sh`).
fn find_script<'a>(
    source: &str,
    scripts: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<(&'a str, &'a str)> {
    let parts: Vec<&str> = source
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    (0..parts.len()).find_map(|skip| {
        let suffix = parts[skip..].join("/");
        let mut found = scripts
            .clone()
            .filter(|(path, _)| *path == suffix || path.ends_with(&format!("/{suffix}")));
        let first = found.next()?;
        // Two scripts with the same name: the image's is not known.
        found.next().is_none().then_some(first)
    })
}

/// The first line that runs a drop tool with a user other than root.
fn drop_line(text: &str) -> Option<(usize, String)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let code = line.split(" #").next().unwrap_or(line).trim();
        if code.starts_with('#') || code.starts_with("echo") || code.starts_with("printf") {
            return None;
        }
        let words: Vec<&str> = code.split_whitespace().collect();
        let at = words
            .iter()
            .position(|w| DROP_TOOLS.contains(&base_name(w)))?;
        let mut rest = words[at + 1..].iter();
        let mut user = None;
        while let Some(word) = rest.next() {
            if let Some(value) = word.strip_prefix("--reuid=") {
                user = Some(value.to_string());
                break;
            }
            if *word == "-u" || *word == "--reuid" || *word == "--user" {
                user = rest.next().map(|w| w.to_string());
                break;
            }
            if !word.starts_with('-') {
                user = Some(word.to_string());
                break;
            }
        }
        let user = user?.trim_matches(['"', '\'']).to_string();
        let name = user.split(':').next().unwrap_or_default();
        (!name.is_empty() && name != "root" && name != "0")
            .then(|| (index + 1, base_name(words[at]).to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drop_of(dockerfile: &str, scripts: &[(&str, &str)]) -> Option<PrivilegeDrop> {
        privilege_drop(&Dockerfile::parse(dockerfile), scripts.iter().copied())
    }

    #[test]
    fn gosu_in_a_copied_entrypoint_drops_privileges() {
        let dockerfile = "FROM python:3.12\nENV HOME=/app\nCOPY ./docker/entry.sh $HOME/run.sh\nENTRYPOINT [\"/app/run.sh\"]\n";
        let script =
            "#!/bin/bash\n# exec gosu root would not count\nexec gosu $PUID \"$0\" \"$@\"\n";
        assert_eq!(
            drop_of(dockerfile, &[("docker/entry.sh", script)]),
            Some(PrivilegeDrop {
                script: "docker/entry.sh".into(),
                line: 3,
                tool: "gosu".into()
            })
        );
    }

    #[test]
    fn su_exec_through_a_build_stage_path() {
        let dockerfile = "FROM golang AS backend\nCOPY . /build\nFROM alpine:3.21\nCOPY --from=backend --chmod=755 /build/scripts/entrypoint.sh /usr/local/bin/entrypoint.sh\nUSER root\nENTRYPOINT [\"/usr/local/bin/entrypoint.sh\", \"/usr/local/bin/app\"]\n";
        let script = "#!/bin/sh\nif [ \"$(id -u)\" = 0 ]; then\n  exec su-exec \"$UID:$GID\" \"$0\" \"$@\"\nfi\nexec \"$@\"\n";
        let found = drop_of(dockerfile, &[("scripts/entrypoint.sh", script)]).unwrap();
        assert_eq!((found.line, found.tool.as_str()), (3, "su-exec"));
    }

    #[test]
    fn no_drop_to_root_in_comments_or_echo() {
        let dockerfile = "FROM alpine:3.21\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/sbin/tini\", \"--\", \"/entrypoint.sh\"]\n";
        for script in [
            "exec gosu root app\n",
            "# exec gosu app app\n",
            "echo run gosu app to drop\n",
            "exec app\n",
        ] {
            assert_eq!(
                drop_of(dockerfile, &[("entrypoint.sh", script)]),
                None,
                "{script}"
            );
        }
        // The script is not in the repository.
        assert_eq!(
            drop_of(dockerfile, &[("other.sh", "exec gosu app app\n")]),
            None
        );
    }
}
