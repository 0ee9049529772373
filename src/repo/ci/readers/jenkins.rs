//! Jenkinsfile (declarative, and the `sh` steps of scripted pipelines):
//! stages run in order, `sh`/`bat`/`powershell` steps are shell scripts.
//! Groovy is not parsed; the steps are found by their call shapes.

use super::{Reader, default_triggers, environment_in_name, step};
use crate::repo::ci::model::{Event, Job, Pipeline, Place, Trigger};
use crate::repo::ci::resolve::Origin;
use regex::Regex;
use std::sync::OnceLock;

fn patterns() -> &'static (Regex, Regex, Regex) {
    static RE: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    RE.get_or_init(|| {
        (
            Regex::new(r#"\bstage\s*\(\s*['"]([^'"]+)['"]\s*\)"#).expect("valid regex"),
            // sh '…', sh "…", sh '''…''', sh """…""", sh(script: '…'), bat, powershell
            Regex::new(r#"(?s)\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?('''(.*?)'''|"""(.*?)"""|'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")"#).expect("valid regex"),
            Regex::new(r#"\bcron\s*\(\s*['"]([^'"]+)['"]"#).expect("valid regex"),
        )
    })
}

pub fn read(reader: &Reader<'_>, path: &str, text: &str) -> Result<Pipeline, String> {
    let (stage_re, step_re, cron_re) = patterns();
    // Comments go, keeping line numbers: `//` to end of line, `/* … */`.
    let cleaned = strip_comments(text);
    let line_of = |offset: usize| cleaned[..offset].matches('\n').count() + 1;
    let stages: Vec<(usize, String)> = stage_re
        .captures_iter(&cleaned)
        .map(|c| (c.get(0).expect("match").start(), c[1].to_string()))
        .collect();
    let mut jobs: Vec<Job> = Vec::new();
    let mut previous: Option<String> = None;
    if stages.is_empty() || stages[0].0 > 0 {
        jobs.push(Job::new("pipeline", path, 1));
    }
    for (offset, name) in &stages {
        let mut job = Job::new(name.clone(), path, line_of(*offset));
        job.needs = previous.iter().cloned().collect();
        job.environment = environment_in_name(name);
        previous = Some(name.clone());
        jobs.push(job);
    }
    for captures in step_re.captures_iter(&cleaned) {
        let whole = captures.get(0).expect("match");
        let body = captures.get(1).expect("group 1");
        let script = (2..=5)
            .find_map(|i| captures.get(i))
            .map_or("", |m| m.as_str())
            .to_string();
        let line = line_of(body.start());
        let index = stages
            .iter()
            .rposition(|(offset, _)| *offset < whole.start());
        let job_index = match index {
            Some(i) => i + usize::from(jobs.len() > stages.len()),
            None => 0,
        };
        let origin = Origin {
            path,
            cwd: String::new(),
            env: Vec::new(),
        };
        let commands = reader
            .resolver
            .script(&script.replace("\\$", "$"), line, &origin);
        if let Some(job) = jobs.get_mut(job_index) {
            job.steps.push(step(None, path, line, None, commands));
        }
    }
    let mut triggers = default_triggers();
    for captures in cron_re.captures_iter(&cleaned) {
        let mut trigger = Trigger::on(Event::Schedule);
        trigger.cron = Some(captures[1].to_string());
        triggers.push(trigger);
    }
    jobs.retain(|j| !j.steps.is_empty() || j.id != "pipeline");
    Ok(Pipeline {
        system: "jenkins".to_string(),
        place: Place::Ci,
        path: path.to_string(),
        name: "Jenkins".to_string(),
        triggers,
        jobs,
        called_only: false,
        after_pipelines: Vec::new(),
    })
}

/// Groovy comments replaced by spaces (newlines kept), outside strings.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '/' && chars.peek() == Some(&'/') => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            None if c == '/' && chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for next in chars.by_ref() {
                    if next == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && next == '/' {
                        break;
                    }
                    last = next;
                }
            }
            None => out.push(c),
        }
    }
    out
}
