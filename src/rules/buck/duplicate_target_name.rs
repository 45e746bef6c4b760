//! `duplicate-target-name`: two target declarations in one build file share a name.
//!
//! Buck2 refuses to register a target twice. A `proc_macro = True` Rust library also
//! declares the hidden `_<name>` target. Example: `alias(name = "serde")` next to
//! `rust_library(name = "serde")`. Buildifier's `duplicated-name` is accepted as an alias.
use rustc_hash::FxHashMap as HashMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::parse::Parsed;
use crate::rules::util::{is_literal_true, span};
use crate::rules::{Check, FileCx, Sink};
use crate::source::FileKind;

pub struct DuplicateTargetName;

const ID: &str = "duplicate-target-name";

impl Check for DuplicateTargetName {
    fn rules(&self) -> &'static [&'static str] {
        &[ID]
    }
    fn check_file(&self, cx: &FileCx<'_>, sink: &mut Sink<'_>) {
        if cx.file.kind != FileKind::Build || !sink.enabled(ID) {
            return;
        }
        let Parsed::Starlark { module, .. } = cx.parsed else { return };
        let mut seen: HashMap<String, (std::ops::Range<u32>, bool)> = HashMap::default();
        for c in &module.calls {
            let Some((name, r)) = c.name_arg() else { continue };
            let mut names = vec![(name.to_string(), false)];
            if is_literal_true(c, "proc_macro") {
                names.push((format!("_{name}"), true));
            }
            for (n, implicit) in names {
                match seen.get(&n) {
                    Some((first, first_implicit)) => {
                        let how = if implicit || *first_implicit {
                            " (a `proc_macro = True` library also declares `_<name>`)"
                        } else {
                            ""
                        };
                        sink.push(
                            Diagnostic::new(
                                ID,
                                Severity::Error,
                                span(cx.file.id, &r),
                                format!("target `{n}` is declared twice in this file{how}"),
                            )
                            .with_related(span(cx.file.id, first), "first declared here")
                            .with_help("rename or remove one of the declarations"),
                        );
                    }
                    None => {
                        seen.insert(n, (r.clone(), implicit));
                    }
                }
            }
        }
    }
}
