//! Settings a production module overrides: the Django settings package.
//!
//! Django projects often split settings into a package: `settings/base.py`
//! with development-friendly values (`DEBUG = True`, a throwaway
//! `SECRET_KEY`), and `settings/production.py` that star-imports it
//! (`from .base import *`) and assigns the production values. What runs in
//! production is the override, so a line of the base module whose name the
//! production module assigns again says nothing about production. This
//! fact lists those lines, so rules that search settings for a value do not
//! judge the base module's development value.

use crate::scan::{Evidence, PlanBuilder, SelectorId, SelectorSpec};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Modules of a settings package.
const SETTINGS: &[&str] = &["**/settings/*.py"];

/// Names of the module the production deployment loads.
const PRODUCTION_MODULES: &[&str] = &["production", "prod", "live", "deploy", "deployment"];

static STAR_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^from[ \t]+(?:\.|[\w.]+\.)(\w+)[ \t]+import[ \t]+\*").expect("valid regex")
});

/// A settings name assigned at the start of a line (`SECRET_KEY = …`,
/// also inside an `if`/`else` of the production module).
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*)([A-Z][A-Z0-9_]*)[ \t]*(?::[^=\n]*)?=[^=]").expect("valid regex")
});

/// Base-module lines a production module overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsOverrides {
    /// (base module path, 1-based line) → the production module.
    lines: BTreeMap<(String, usize), String>,
}

impl SettingsOverrides {
    /// From the settings modules' paths and texts.
    pub fn from_texts<'a>(modules: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let modules: BTreeMap<&str, &str> = modules.into_iter().collect();
        let mut lines = BTreeMap::new();
        for (path, text) in &modules {
            let Some((folder, stem)) = split(path) else {
                continue;
            };
            if !PRODUCTION_MODULES.contains(&stem) {
                continue;
            }
            let overridden: BTreeSet<&str> = ASSIGNED
                .captures_iter(text)
                .map(|c| c.get(2).map_or("", |m| m.as_str()))
                .collect();
            for import in STAR_IMPORT.captures_iter(text) {
                let base = format!("{folder}/{}.py", &import[1]);
                let Some(base_text) = modules.get(base.as_str()) else {
                    continue;
                };
                for assignment in ASSIGNED.captures_iter(base_text) {
                    // Only top-level assignments are the module's settings.
                    if !assignment[1].is_empty() || !overridden.contains(&assignment[2]) {
                        continue;
                    }
                    let at = assignment.get(0).map_or(0, |m| m.start());
                    let line = 1 + base_text[..at].matches('\n').count();
                    lines.insert((base.clone(), line), path.to_string());
                }
            }
        }
        SettingsOverrides { lines }
    }

    /// The production module that overrides the setting assigned at `line`
    /// of `path`, if one does.
    pub fn overridden_by(&self, path: &str, line: usize) -> Option<&str> {
        self.lines
            .get(&(path.to_string(), line))
            .map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// `a/settings/base.py` → (`a/settings`, `base`).
fn split(path: &str) -> Option<(&str, &str)> {
    let (folder, file) = path.rsplit_once('/')?;
    Some((folder, file.strip_suffix(".py")?))
}

/// Planned reading of the settings modules.
#[derive(Debug)]
pub struct SettingsPlan {
    modules: SelectorId,
}

impl SettingsPlan {
    pub fn plan(plan: &mut PlanBuilder) -> SettingsPlan {
        SettingsPlan {
            modules: plan.keep_contents(SelectorSpec::from_strs(SETTINGS, &[])),
        }
    }

    pub fn build(&self, evidence: &Evidence) -> SettingsOverrides {
        SettingsOverrides::from_texts(
            evidence
                .kept(self.modules)
                .map(|f| (f.path.as_str(), f.text.as_str())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str =
        "import os\n\nSECRET_KEY = \"dev-only\"\n\nDEBUG = True\nALLOWED_HOSTS = []\n";
    const PRODUCTION: &str = "from .base import *  # noqa\n\nDEBUG = False\n\nif \"DJANGO_SECRET_KEY\" in os.environ:\n    SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\n";

    #[test]
    fn base_settings_the_production_module_assigns_again_are_overridden() {
        let overrides = SettingsOverrides::from_texts([
            ("site/settings/base.py", BASE),
            ("site/settings/production.py", PRODUCTION),
            (
                "site/settings/dev.py",
                "from .base import *\nDEBUG = True\n",
            ),
        ]);
        assert_eq!(
            overrides.overridden_by("site/settings/base.py", 3),
            Some("site/settings/production.py")
        );
        assert!(
            overrides
                .overridden_by("site/settings/base.py", 5)
                .is_some()
        );
        // Not assigned by production: still what production runs.
        assert!(
            overrides
                .overridden_by("site/settings/base.py", 6)
                .is_none()
        );
        // A development module's own values are not overrides of anything.
        assert!(overrides.overridden_by("site/settings/dev.py", 2).is_none());
    }

    #[test]
    fn without_a_production_module_importing_it_nothing_is_overridden() {
        let overrides = SettingsOverrides::from_texts([
            ("site/settings/base.py", BASE),
            (
                "site/settings/dev.py",
                "from .base import *\nDEBUG = False\n",
            ),
            ("other/settings/production.py", PRODUCTION),
        ]);
        assert!(overrides.is_empty());
        // An absolute import names the module just as well.
        let absolute = SettingsOverrides::from_texts([
            ("site/settings/common.py", BASE),
            (
                "site/settings/prod.py",
                "from site.settings.common import *\nDEBUG = False\n",
            ),
        ]);
        assert!(
            absolute
                .overridden_by("site/settings/common.py", 5)
                .is_some()
        );
    }
}
