use super::*;

fn doc(s: &str) -> Document<String> {
    Document::parse(s.to_string()).expect("valid TOML")
}

fn kinds(d: &FixupsDoc<'_>) -> Vec<String> {
    d.issues
        .iter()
        .map(|i| {
            let k = match &i.kind {
                IssueKind::UnknownKey { .. } => "unknown",
                IssueKind::WrongType { .. } => "type",
                IssueKind::BadValue { .. } => "value",
                IssueKind::MissingKey { .. } => "missing",
                IssueKind::LegacyBuildscript(_) => "legacy-bs",
                IssueKind::LegacyPlatformSection { .. } => "legacy-pf",
                IssueKind::LegacyPlatformEmpty => "legacy-pf-empty",
                IssueKind::LegacyVersionKey { .. } => "legacy-version",
                IssueKind::Restricted { .. } => "restricted",
                IssueKind::CfgParse { .. } => "cfg-parse",
            };
            format!("{k}:{}", i.path)
        })
        .collect()
}

fn issues_of(src: &str) -> Vec<String> {
    let d = doc(src);
    let f = FixupsDoc::analyze(&d);
    kinds(&f)
}

#[test]
fn bool_keys() {
    assert!(issues_of("precise_srcs = true\n").is_empty());
    assert_eq!(issues_of("precise_srcs = \"yes\"\n"), ["type:precise_srcs"]);
    assert!(issues_of("[buildscript.run]\nrustc_link_lib = true\n").is_empty());
    assert_eq!(issues_of("[buildscript.run]\nrustc_link_lib = 1\n"), ["type:buildscript.run.rustc_link_lib"]);
}

#[test]
fn string_keys() {
    assert!(issues_of("python_ext = \"m\"\noverlay = \"o\"\nlink_style = \"static\"\n").is_empty());
    assert_eq!(issues_of("overlay = [\"o\"]\n"), ["type:overlay"]);
}

#[test]
fn string_array_keys() {
    assert!(issues_of("extra_srcs = []\nrustc_flags = [\"-x\"]\nfeatures = ['a']\n").is_empty());
    assert_eq!(issues_of("features = \"a\"\n"), ["type:features"]);
    assert_eq!(issues_of("rustc_flags = [1]\n"), ["type:rustc_flags"]);
    let d = doc("features = \"a\"\n");
    let f = FixupsDoc::analyze(&d);
    match &f.issues[0].kind {
        IssueKind::WrongType { expected, found } => {
            assert_eq!(*expected, "an array of strings");
            assert_eq!(*found, "a string");
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn bool_or_string_array_keys() {
    assert!(issues_of("cargo_env = true\n").is_empty());
    assert!(issues_of("cargo_env = [\"CARGO_PKG_VERSION\", \"CARGO_PKG_VERSION_PATCH\"]\n").is_empty());
    assert_eq!(issues_of("cargo_env = \"all\"\n"), ["type:cargo_env"]);
    assert_eq!(issues_of("cargo_env = [\"CARGO_PKG_VERSON\"]\n"), ["value:cargo_env"]);
}

#[test]
fn string_map_keys() {
    // table, inline table, dotted key, empty template table
    assert!(issues_of("[env]\nFOO = \"1\"\n").is_empty());
    assert!(issues_of("env = { FOO = \"1\" }\n").is_empty());
    assert!(issues_of("env.FOO = \"1\"\n").is_empty());
    assert!(issues_of("[env]\n[extra_mapped_srcs]\n").is_empty());
    assert_eq!(issues_of("[env]\nFOO = 1\n"), ["type:env.FOO"]);
    assert_eq!(issues_of("env = [\"FOO=1\"]\n"), ["type:env"]);
}

#[test]
fn array_of_tables_keys() {
    assert!(
        issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = [\"a.c\"]\nexported_headers = { \"a.h\" = \"b.h\" }\n")
            .is_empty()
    );
    assert!(issues_of("[['cfg(unix)'.prebuilt_cxx_library]]\nname = \"x\"\nstatic_libs = [\"a.a\"]\n").is_empty());
    assert_eq!(issues_of("[[cxx_library]]\nname = \"x\"\n"), ["missing:cxx_library"]);
    assert_eq!(issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = []\nheader = []\n"), ["unknown:cxx_library.header"]);
    assert_eq!(issues_of("[cxx_library]\nname = \"x\"\nsrcs = []\n"), ["type:cxx_library"]);
}

#[test]
fn select_array_keys() {
    assert!(issues_of("[[rustc_flags_select]]\n\"//os:linux\" = [\"-x\"]\n").is_empty());
    assert_eq!(
        issues_of("[[rustc_flags_select]]\n\"//os:linux\" = \"-x\"\n"),
        ["type:rustc_flags_select.'//os:linux'"]
    );
    // the single-table form is a removed shape, even when empty
    let d = doc("[rustc_flags_select]\n");
    let f = FixupsDoc::analyze(&d);
    assert!(matches!(
        &f.issues[0].kind,
        IssueKind::UnknownKey { removed: Some(r), .. } if r.name == "rustc_flags_select"
    ));
}

#[test]
fn nested_tables() {
    assert!(issues_of("[resolver.dependencies.foo]\nnarrow_to = \"1\"\n").is_empty());
    assert_eq!(
        issues_of("[resolver.dependencies.foo]\nnarow_to = \"1\"\n"),
        ["unknown:resolver.dependencies.foo.narow_to"]
    );
    assert!(issues_of("[export_sources]\nname = \"a\"\nsrcs = [\"x\"]\nvisibility = []\n").is_empty());
    assert!(issues_of("[buildscript.build]\nenv = { A = \"1\" }\nextra_deps = [\"//x:y\"]\n").is_empty());
}

#[test]
fn unknown_keys_suggest_and_rename() {
    let d = doc("extra_src = []\nbuildscript.runs = true\nfilter_deps = [\"a\"]\n[linux]\nrustc_flags = []\n");
    let f = FixupsDoc::analyze(&d);
    let got: Vec<(String, Option<&str>, Option<&str>)> = f
        .issues
        .iter()
        .map(|i| match &i.kind {
            IssueKind::UnknownKey { suggestion, rename, .. } => (i.path.clone(), *suggestion, *rename),
            k => panic!("{k:?}"),
        })
        .collect();
    assert_eq!(
        got,
        [
            ("extra_src".to_string(), Some("extra_srcs"), Some("extra_srcs")),
            ("buildscript.runs".to_string(), Some("run"), Some("run")),
            ("filter_deps".to_string(), None, Some("omit_deps")),
            ("linux".to_string(), None, None),
        ]
    );
    // the finding sits on the key
    assert_eq!(&d.raw()[f.issues[1].span.clone()], "runs");
}

#[test]
fn any_array_keys() {
    assert!(
        issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = []\ntargets = [[\"bin\", \"cargo\"], [\"lib\"]]\n").is_empty()
    );
    assert_eq!(
        issues_of("[[cxx_library]]\nname = \"x\"\nsrcs = []\ntargets = \"bin\"\n"),
        ["type:cxx_library.targets"]
    );
}

#[test]
fn string_array_or_map_keys() {
    let ok = "[[cxx_library]]\nname = \"x\"\nsrcs = []\nexported_headers = [\"*.h\"]\n";
    assert!(issues_of(ok).is_empty());
    let ok = "[[cxx_library]]\nname = \"x\"\nsrcs = []\n[cxx_library.exported_headers]\n\"a.h\" = \"src/a.h\"\n";
    assert!(issues_of(ok).is_empty());
    let bad = "[[cxx_library]]\nname = \"x\"\nsrcs = []\nexported_headers = true\n";
    assert_eq!(issues_of(bad), ["type:cxx_library.exported_headers"]);
}

#[test]
fn bool_or_table_keys() {
    assert!(issues_of("buildscript.run = true\n").is_empty());
    assert!(issues_of("[buildscript.run]\nenv = { A = \"1\" }\nrustc_link_search = true\n").is_empty());
    assert_eq!(issues_of("buildscript.run = \"yes\"\n"), ["type:buildscript.run"]);
    assert_eq!(issues_of("[buildscript.run]\nenvs = {}\n"), ["unknown:buildscript.run.envs"]);
    assert_eq!(issues_of("buildscript = true\n"), ["type:buildscript"]);
}

fn rt_paths(src: &str) -> Vec<String> {
    let d = doc(src);
    let r = ReindeerDoc::analyze(&d);
    r.issues.iter().map(|i| i.path.clone()).collect()
}

#[test]
fn vendor_key() {
    assert!(rt_paths("vendor = true\n").is_empty());
    assert!(rt_paths("vendor = \"local-registry\"\n").is_empty());
    assert!(rt_paths("[vendor]\ngitignore_checksum_exclude = [\"a\"]\n").is_empty());
    assert_eq!(rt_paths("vendor = 1\n"), ["vendor"]);
    assert_eq!(rt_paths("[vendor]\nchecksum_exclude = []\n"), ["vendor.checksum_exclude"]);
}

#[test]
fn platform_tables() {
    let ok = "[platform.linux-x86_64]\ntarget = \"x86_64-unknown-linux-gnu\"\nexecution-platform = true\nfeatures = [\"a\"]\ntarget_os = [\"linux\"]\nworkspace = [\"x\"]\n";
    assert!(rt_paths(ok).is_empty());
    assert_eq!(rt_paths("[platform.a]\nexecution-platform = \"yes\"\n"), ["platform.a.execution-platform"]);
    assert_eq!(rt_paths("[platform.a]\ntarget_os = \"linux\"\n"), ["platform.a.target_os"]);
    assert_eq!(rt_paths("platform = 1\n"), ["platform"]);
}

#[test]
fn restricted_in_platform_sections_only() {
    let src = "visibility = []\n['cfg(version = \">=2\")']\nvisibility = [\"//a/...\"]\n['cfg(target_os = \"linux\")']\nvisibility = [\"//foo/...\"]\nomit_targets = []\nrustc_flags = []\n";
    assert_eq!(
        issues_of(src),
        [
            "restricted:['cfg(target_os = \"linux\")'].visibility",
            "restricted:['cfg(target_os = \"linux\")'].omit_targets"
        ]
    );
    for key in restricted_keys() {
        let v = match key {
            "precise_srcs" => "true",
            "python_ext" => "\"m\"",
            "export_sources" | "resolver" => "{}",
            _ => "[]",
        };
        let got = issues_of(&format!("['cfg(unix)']\n{key} = {v}\n"));
        assert!(got.iter().any(|g| g.starts_with("restricted:")), "{key}: {got:?}");
        let got = issues_of(&format!("['cfg(all(version = \">=1\", not(version = \"=1.2.0\")))']\n{key} = {v}\n"));
        assert!(!got.iter().any(|g| g.starts_with("restricted:")), "{key}: {got:?}");
    }
    // unrestricted keys are fine anywhere
    assert!(issues_of("['cfg(unix)']\nrustc_flags = []\nenv = {}\nbuildscript.run = true\n").is_empty());
}

/// One test per restricted key: an error in a platform section, silent at the top level
/// and in version-only sections.
fn restricted(key: &str, value: &str) {
    let kinds = |src: String| issues_of(&src).into_iter().filter(|k| k.starts_with("restricted:")).count();
    assert_eq!(kinds(format!("['cfg(target_os = \"linux\")']\n{key} = {value}\n")), 1, "{key} in a platform section");
    assert_eq!(kinds(format!("['cfg(all(unix, version = \">=1\"))']\n{key} = {value}\n")), 1, "{key} mixed section");
    assert_eq!(kinds(format!("[platform_fixup.'cfg(unix)']\n{key} = {value}\n")), 1, "{key} legacy section");
    assert_eq!(kinds(format!("{key} = {value}\n")), 0, "{key} at the top level");
    assert_eq!(kinds(format!("['cfg(version = \">=1\")']\n{key} = {value}\n")), 0, "{key} version-only");
    assert_eq!(kinds(format!("['cfg(not(version = \"=1.2.0\"))']\n{key} = {value}\n")), 0, "{key} version-only not()");
}

#[test]
fn restricted_visibility() {
    restricted("visibility", "[\"//foo/...\"]");
}
#[test]
fn restricted_omit_targets() {
    restricted("omit_targets", "[\"bench\"]");
}
#[test]
fn restricted_precise_srcs() {
    restricted("precise_srcs", "true");
}
#[test]
fn restricted_python_ext() {
    restricted("python_ext", "\"m\"");
}
#[test]
fn restricted_export_sources() {
    restricted("export_sources", "{ name = \"s\", srcs = [\"*.rs\"] }");
}
#[test]
fn restricted_compatible_with() {
    restricted("compatible_with", "[\"//c:x\"]");
}
#[test]
fn restricted_target_compatible_with() {
    restricted("target_compatible_with", "[\"//c:x\"]");
}
#[test]
fn restricted_target_compatible_with_select() {
    restricted("target_compatible_with_select", "[{ \"//os:linux\" = [\"//c:x\"] }]");
}
#[test]
fn restricted_resolver() {
    restricted("resolver", "{ dependencies = { rand = { narrow_to = \"0.8\" } } }");
}

#[test]
fn cfg_parse_error_maps_into_key() {
    let src = "['cfg(target_os = linux)']\nrustc_flags = []\n";
    let d = doc(src);
    let f = FixupsDoc::analyze(&d);
    assert_eq!(kinds(&f), ["cfg-parse:cfg(target_os = linux)"]);
    let span = f.issues[0].span.clone();
    assert!(src[span.clone()].starts_with("linux"), "{:?}", &src[span]);
    // double-quoted keys without escapes map too
    let src = "[\"cfg(all(unix,))\"]\n";
    let d = doc(src);
    let f = FixupsDoc::analyze(&d);
    assert_eq!(kinds(&f).len(), 1);
    assert!(f.issues[0].span.start > 1);
}

#[test]
fn legacy_forms_give_one_issue_each() {
    let src = "buildscript = []\n";
    assert_eq!(issues_of(src), ["legacy-bs:buildscript"]);
    let src = "[[buildscript]]\n[buildscript.gen_srcs]\nfiles = [\"a\"]\npath_env = {}\n";
    assert_eq!(issues_of(src), ["legacy-bs:buildscript"]);
    let src = "[[buildscript]]\n[buildscript.build]\n[[buildscript]]\nunresolved = 'x'\n";
    assert_eq!(issues_of(src), ["legacy-bs:buildscript", "legacy-bs:buildscript"]);
    let src = "buildscript.run = true\n[buildscript.prebuilt_cxx_library]\nname = \"x\"\n";
    assert_eq!(issues_of(src), ["legacy-bs:buildscript.prebuilt_cxx_library"]);
    let src = "[platform_fixup]\n";
    assert_eq!(issues_of(src), ["legacy-pf-empty:platform_fixup"]);
    let src = "[platform_fixup.'cfg(all())']\nversion = \">=3.2\"\nfilter_deps = []\n[[platform_fixup.'cfg(unix)'.buildscript]]\n[platform_fixup.'cfg(unix)'.buildscript.rustc_flags]\n";
    assert_eq!(
        issues_of(src),
        [
            "legacy-pf:platform_fixup.'cfg(all())'",
            "unknown:[platform_fixup.'cfg(all())'].filter_deps",
            "legacy-bs:[platform_fixup.'cfg(unix)'].buildscript",
            "legacy-pf:platform_fixup.'cfg(unix)'",
        ]
    );
    let src = "['cfg(target_os = \"windows\")']\nversion = \"=0.48.0\"\n";
    assert_eq!(issues_of(src), ["legacy-version:['cfg(target_os = \"windows\")'].version"]);
}

#[test]
fn decisions() {
    let dec = |src: &str| {
        let d = doc(src);
        let f = FixupsDoc::analyze(&d);
        f.sections[0].buildscript().and_then(|b| b.decision())
    };
    assert_eq!(dec("buildscript.run = false\n"), Some(Decision::Run(false)));
    assert_eq!(dec("[buildscript.run.env]\nA = \"1\"\n"), Some(Decision::Run(true)));
    assert_eq!(dec("buildscript = []\n"), Some(Decision::Run(false)));
    assert_eq!(dec("[[buildscript]]\n[buildscript.rustc_flags]\n"), Some(Decision::Run(true)));
    assert_eq!(dec("[[buildscript]]\nunresolved = 'x'\n"), Some(Decision::Undecided));
    assert_eq!(dec("[buildscript.build.env]\nA = \"1\"\n"), None);
    assert_eq!(dec("rustc_flags = []\n"), None);
}

#[test]
fn real_world_shapes_are_quiet() {
    let src = "# Copyright\n# licence\n";
    assert!(issues_of(src).is_empty());
    assert!(issues_of("").is_empty());
    let src = "omit_targets = []\nextra_srcs = []\n[env]\n[extra_mapped_srcs]\n";
    assert!(issues_of(src).is_empty());
    let src = "cargo_env = true\n['cfg(all())']\nrustc_flags = []\n['cfg(any(all(target_os = \"linux\")))']\nextra_srcs = []\n[[\"cfg(unix)\".cxx_library]]\nname = \"c\"\nsrcs = []\n['cfg(unix)'.env]\nA = \"$(location //x:y)\"\n";
    assert!(issues_of(src).is_empty(), "{:?}", issues_of(src));
}

#[test]
fn reindeer_toml_schema() {
    let src = "precise_srcs = true\ncargo_env = [\"CARGO_PKG_NAME\"]\nvendor = { gitignore_checksum_exclude = [] }\n[buck]\nfile_name = \"BUCK\"\nsplit = false\n[platform.linux-x86_64]\ntarget = \"x86_64-unknown-linux-gnu\"\ntarget_os = [\"linux\"]\n";
    let d = doc(src);
    let r = ReindeerDoc::analyze(&d);
    assert!(r.issues.is_empty(), "{:?}", r.issues.iter().map(|i| &i.path).collect::<Vec<_>>());
    assert!(r.rt_issues.is_empty());
    let src = "error = \"run from the repo root\"\nfixup_templates = true\nprecise_src = true\n[vendor]\nchecksum_exclude = []\n[buck]\nsplit = true\n[cargo]\nversioned_dirs = true\n";
    let d = doc(src);
    let r = ReindeerDoc::analyze(&d);
    let paths: Vec<&str> = r.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, ["fixup_templates", "precise_src", "vendor.checksum_exclude", "cargo.versioned_dirs"]);
    assert!(matches!(r.issues[2].kind, IssueKind::UnknownKey { rename: Some("gitignore_checksum_exclude"), .. }));
    assert!(matches!(r.rt_issues[0].kind, RtIssueKind::Guard));
    let src = "license_patterns = [\"x\"]\nvendor = \"yes\"\n[buck]\nsplit = true\n[platform.a]\nexecution-platform = true\nfeatures = [\"a/b\"]\n[platform.b]\ntarget = 1\n";
    let d = doc(src);
    let r = ReindeerDoc::analyze(&d);
    let kinds: Vec<String> = r.rt_issues.iter().map(|i| format!("{:?}", i.kind)).collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert_eq!(r.issues.len(), 1, "platform.b.target must be a string");
}

#[test]
fn section_headers_accept_dotted_keys_in_bodies() {
    let src = "[platform_fixup.'cfg(w)']\nbuildscript.run = true\nenv = { A = \"1\" }\n[platform_fixup.'cfg(w)'.x]\ny.z = 1\n[[platform_fixup.'cfg(w)'.cxx_library]]\nname = \"c\"\n";
    let d = doc(src);
    let item = d.as_table().get("platform_fixup").and_then(|p| p.get("cfg(w)")).unwrap();
    assert_eq!(subtree_headers(item), None);
    let h = section_headers(item).unwrap();
    assert_eq!(h.len(), 3);
    assert!(h.iter().all(|&o| src[o..].starts_with("[platform_fixup.") || src[o..].starts_with("[[platform_fixup.")));
    // keys written with a dotted key outside the section's headers
    let d = doc("[platform_fixup]\n'cfg(w)'.env.A = \"1\"\n");
    let item = d.as_table().get("platform_fixup").and_then(|p| p.get("cfg(w)")).unwrap();
    assert_eq!(section_headers(item), None);
}

#[test]
fn deletions_do_not_leave_doubled_blank_lines() {
    let src = "a = 1\n\n[platform_fixup]\n\n[b]\n";
    let r = src.find("[platform_fixup]").unwrap()..src.find("\n[b]").unwrap();
    let w = deletion_with_blank_lines(src, r);
    assert_eq!(format!("{}{}", &src[..w.start], &src[w.end..]), "a = 1\n\n[b]\n");
    let src = "# licence\n\n[platform_fixup]\n";
    let r = src.find('[').unwrap()..src.len();
    let w = deletion_with_blank_lines(src, r);
    assert_eq!(&src[..w.start], "# licence\n");
    let src = "a = 1\n[platform_fixup]\n\n[b]\n";
    let r = src.find('[').unwrap()..src.find("\n[b]").unwrap();
    assert_eq!(deletion_with_blank_lines(src, r.clone()), r);
}

#[test]
fn regions_and_insertion() {
    let src = "# licence\n\ncargo_env = false\nextra_srcs = []\n\n# run env\n[buildscript.run.env]\nA = \"1\"\n\n[env]\nB = \"2\"\n";
    let d = doc(src);
    let headers = header_starts(&d);
    let f = FixupsDoc::analyze(&d);
    let _ = f;
    let root = d.as_table();
    let (k, item) = root.get_key_value("env").unwrap();
    let regions = item_regions(src, &headers, &k.span().unwrap(), item);
    assert_eq!(regions.len(), 1);
    assert_eq!(&src[regions[0].clone()], "[env]\nB = \"2\"\n");
    assert_eq!(
        &src[root_insertion_point(&d, &headers)..],
        "\n# run env\n[buildscript.run.env]\nA = \"1\"\n\n[env]\nB = \"2\"\n"
    );
    let src = "# licence\n\n# about this table\n[env]\nB = \"2\"\n";
    let d = doc(src);
    let headers = header_starts(&d);
    assert_eq!(root_insertion_point(&d, &headers), "# licence\n\n".len());
}
