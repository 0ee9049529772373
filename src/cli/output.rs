//! Writing rendered text to stdout or a file, quietly surviving a closed pipe
//! (`readyctl audit | head`).

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::args::ColorArg;

/// Whether standard output gets ANSI colour.
pub fn use_color(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => color_from_env(
            |name| std::env::var(name).ok(),
            std::io::stdout().is_terminal(),
        ),
    }
}

/// Columns to lay the table out for: `COLUMNS` when set (so scripts and
/// tests can ask for a width), else the terminal's, else 80.
pub fn width() -> usize {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return columns;
    }
    if std::io::stdout().is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return usize::from(w);
    }
    readyctl::render::DEFAULT_WIDTH
}

/// Whether standard output is a terminal someone reads as it scrolls by.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// The conventions, in their order of precedence: `NO_COLOR` (no-color.org)
/// turns colour off; `CLICOLOR_FORCE` or `FORCE_COLOR` (set, not `0`) turn it
/// on where there is no terminal (CI logs render ANSI); else a terminal.
fn color_from_env(var: impl Fn(&str) -> Option<String>, terminal: bool) -> bool {
    let set = |name: &str| var(name).is_some_and(|v| !v.is_empty());
    let forced = |name: &str| var(name).is_some_and(|v| !v.is_empty() && v != "0");
    if set("NO_COLOR") {
        return false;
    }
    if forced("CLICOLOR_FORCE") || forced("FORCE_COLOR") {
        return true;
    }
    terminal
}

pub fn write(text: &str, file: Option<&Path>) -> Result<(), String> {
    match file {
        Some(path) => std::fs::write(path, text)
            .map_err(|err| format!("cannot write `{}`: {err}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => Ok(()),
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(err) => Err(format!("cannot write to standard output: {err}")),
            }
        }
    }
}

/// Fails early when `path` cannot be a file we write: its directory is
/// missing, or it is a directory itself.
pub fn check_writable(path: &Path) -> Result<(), String> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(format!(
            "cannot write `{}`: directory `{}` does not exist",
            path.display(),
            parent.display()
        ));
    }
    if path.is_dir() {
        return Err(format!(
            "cannot write `{}`: it is a directory",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::color_from_env;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn colour_follows_the_conventions() {
        assert!(color_from_env(env(&[]), true));
        assert!(!color_from_env(env(&[]), false));
        assert!(color_from_env(env(&[("CLICOLOR_FORCE", "1")]), false));
        assert!(color_from_env(env(&[("FORCE_COLOR", "true")]), false));
        assert!(!color_from_env(env(&[("FORCE_COLOR", "0")]), false));
        assert!(!color_from_env(
            env(&[("NO_COLOR", "1"), ("FORCE_COLOR", "1")]),
            true
        ));
    }
}
