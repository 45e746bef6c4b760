//! `re-platform-property-inconsistent` (R13): platform properties that no worker will match.
//!
//! Across every `remote_execution_properties` dict of the repository, any of:
//! - one key (usually `OSFamily`) has string values that differ only in case (`"Linux"` and
//!   `"linux"`): the values that differ from the majority spelling (or, for `OSFamily` with
//!   `[re] provider` set, from the provider's spelling) are reported;
//! - with `[re] allowed-properties` set, a key outside that list (NativeLink rejects unlisted
//!   keys with "Unknown platform property");
//! - with `[re] provider` set, an `OSFamily` whose case differs from the provider's convention
//!   (BuildBuddy `Linux`; the Buildbarn and NativeLink examples `linux`).
//!
//! Schedulers compare properties as exact strings: with a mismatch no worker matches and the
//! action queues until it times out. Example: one platform with `"OSFamily": "Linux"`, another
//! with `"OSFamily": "linux"`. Each literal is reported once, however many executors use it.
//! Fix (unsafe, only the worker configuration knows the right value): rewrite the value to the
//! provider's or the majority spelling.
use crate::rules::registry::declare_rule;
use std::collections::HashMap;

use super::{Findings, property_dicts, replace_literal, with_use};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::{Check, ProjectCx, Sink};
use crate::source::Span;

declare_rule! {
    RePlatformPropertyInconsistent {
        id: "re-platform-property-inconsistent",
        code: Some("R13"),
        category: RemoteExecution,
        severity: Info,
        default: true,
        fix: Unsafe,
    }
}

/// The `OSFamily` spelling of each provider's documentation and examples.
fn provider_os_family(provider: &str) -> Option<(&'static str, &'static str)> {
    match provider {
        "buildbuddy" => Some(("Linux", "BuildBuddy")),
        "buildbarn" => Some(("linux", "Buildbarn")),
        "nativelink" => Some(("linux", "NativeLink")),
        _ => None,
    }
}

/// One property entry, once per literal.
struct Entry {
    key: String,
    key_origin: Option<Span>,
    value: Option<String>,
    value_origin: Option<Span>,
    use_span: Option<Span>,
    /// How many executors (per platform instance) use this literal.
    uses: usize,
}

impl Check for RePlatformPropertyInconsistent {
    fn check_project(&self, cx: &ProjectCx<'_>, sink: &mut Sink<'_>) {
        let p = cx.project;
        let settings = cx.settings;
        // Collect every (key, value) literal once, in a stable order.
        let mut entries: Vec<Entry> = Vec::new();
        for site in &p.exec().executors {
            let (dicts, use_span) = property_dicts(p, site);
            for d in dicts {
                for (k, v) in d.as_dict().unwrap_or_default() {
                    let Some(key) = k.as_str() else { continue };
                    for (_, alt) in v.alternatives() {
                        let e = Entry {
                            key: key.to_string(),
                            key_origin: k.origin,
                            value: alt.as_str().map(String::from),
                            value_origin: alt.origin,
                            use_span,
                            uses: 1,
                        };
                        match entries
                            .iter_mut()
                            .find(|x| x.key_origin == e.key_origin && x.value_origin == e.value_origin)
                        {
                            Some(x) => x.uses += 1,
                            None => entries.push(e),
                        }
                    }
                }
            }
        }
        let display = |s: &Option<Span>| s.map(|s| (cx.files.display(s.file).to_string(), s.start));
        entries.sort_by_key(|e| (display(&e.value_origin), display(&e.key_origin)));

        let mut out = Findings::new(cx.files);
        let convention = settings.re.provider.as_deref().and_then(provider_os_family);

        // 1. values of one key that differ only in case (and provider conventions).
        let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if let (Some(v), Some(_)) = (&e.value, e.value_origin) {
                groups.entry((e.key.clone(), v.to_lowercase())).or_default().push(i);
            }
        }
        let mut group_keys: Vec<&(String, String)> = groups.keys().collect();
        group_keys.sort();
        for gk in group_keys {
            let idx = &groups[gk];
            let key = &gk.0;
            // Spellings by number of executors using them (a constant shared by several
            // platforms counts for each), first seen first on a tie.
            let mut spellings: Vec<(&str, usize, usize)> = Vec::new();
            for &i in idx {
                let v = entries[i].value.as_deref().unwrap();
                match spellings.iter_mut().find(|s| s.0 == v) {
                    Some(s) => s.1 += entries[i].uses,
                    None => spellings.push((v, entries[i].uses, i)),
                }
            }
            let provider_target = convention.filter(|(c, _)| key == "OSFamily" && c.to_lowercase() == gk.1);
            if spellings.len() < 2 && provider_target.is_none_or(|(c, _)| spellings[0].0 == c) {
                continue;
            }
            // the majority of the executors the run knows: unsure when it did not look everywhere
            if provider_target.is_none() && cx.project.partial_context {
                continue;
            }
            let majority = spellings.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2))).map(|s| s.0).unwrap();
            let target = provider_target.map(|(c, _)| c).unwrap_or(majority);
            let target_at = idx
                .iter()
                .find(|&&i| entries[i].value.as_deref() == Some(target))
                .and_then(|&i| entries[i].value_origin);
            for &i in idx {
                let e = &entries[i];
                let v = e.value.as_deref().unwrap();
                let origin = e.value_origin.unwrap();
                if v == target {
                    continue;
                }
                let message = match provider_target {
                    Some((c, name)) => format!(
                        "`\"{key}\": \"{v}\"` differs from {name}'s spelling `{c}`; schedulers compare platform properties exactly, so no worker matches and the action queues until it times out"
                    ),
                    None => format!(
                        "`\"{key}\": \"{v}\"` differs only in case from `\"{target}\"` on other platforms; schedulers compare platform properties exactly, so one of them matches no worker"
                    ),
                };
                let mut d = Diagnostic::new(ID, Severity::Info, origin, message)
                    .with_label(format!("`{target}` elsewhere"))
                    .with_help(format!("use the spelling your workers advertise, e.g. `\"{target}\"` everywhere"));
                if let Some(t) = target_at {
                    d = d.with_related(t, format!("spelled `{target}` here"));
                }
                if let Some(edit) = replace_literal(cx.files, origin, v, target) {
                    d = d.with_fix(Fix {
                        applicability: Applicability::Unsafe,
                        description: format!("Write `\"{target}\"`"),
                        edits: vec![edit],
                    });
                }
                out.add(with_use(d, origin, e.use_span, "used by this executor"));
            }
        }

        // 2. keys outside `[re] allowed-properties`.
        if let Some(allowed) = &settings.re.allowed_properties {
            let mut seen: Vec<Span> = Vec::new();
            for e in &entries {
                let Some(k) = e.key_origin else { continue };
                if allowed.iter().any(|a| a == &e.key) || seen.contains(&k) {
                    continue;
                }
                seen.push(k);
                let d = Diagnostic::new(
                    ID,
                    Severity::Info,
                    k,
                    format!(
                        "platform property `{}` is not in `[re] allowed-properties`; schedulers such as NativeLink reject unlisted keys and the action never runs",
                        e.key
                    ),
                )
                .with_help(format!(
                    "remove the property, or add `\"{}\"` to `[re] allowed-properties` if your scheduler lists it",
                    e.key
                ));
                out.add(with_use(d, k, e.use_span, "used by this executor"));
            }
        }
        out.flush(sink);
    }
}
