use super::*;

fn s(text: &str, span: &Range<usize>) -> String {
    text[span.clone()].to_owned()
}

fn kinds(file: &BuckConfigFile) -> Vec<ConfigErrorKind> {
    file.errors.iter().map(|e| e.kind).collect()
}

/// Structural invariants that must hold for any input.
fn check_invariants(text: &str, file: &BuckConfigFile) {
    let ok = |r: &Range<usize>| r.start <= r.end && text.get(r.clone()).is_some();
    for h in &file.sections {
        assert!(ok(&h.span) && ok(&h.name_span), "{h:?}");
        assert_eq!(text[h.name_span.clone()], h.name);
        assert!(text[h.span.clone()].starts_with('['));
        assert!(text[h.span.clone()].ends_with(']'));
    }
    for e in &file.entries {
        assert!(ok(&e.key_span) && ok(&e.value_span) && ok(&e.line_span), "{e:?}");
        assert_eq!(text[e.key_span.clone()], e.key);
        assert!(!e.key.is_empty());
        assert!(e.line_span.start <= e.key_span.start && e.value_span.end <= e.line_span.end);
        if !text[e.value_span.clone()].contains('\n') {
            assert_eq!(text[e.value_span.clone()], e.value);
        }
        for (item, range) in split_list(e, text) {
            assert!(ok(&range));
            assert!(!item.is_empty());
            if !text[range.clone()].contains('\n') {
                assert_eq!(text[range], item);
            }
        }
    }
    for i in &file.includes {
        assert!(ok(&i.span) && ok(&i.path_span), "{i:?}");
        assert_eq!(text[i.path_span.clone()], i.path);
    }
    for err in &file.errors {
        assert!(ok(&err.span), "{err:?}");
        assert!(!err.message.contains('\n'));
    }
}

fn parse_checked(text: &str) -> BuckConfigFile {
    let file = parse(text);
    check_invariants(text, &file);
    file
}

#[test]
fn basic_sections_and_entries() {
    let text = "[cells]\n  root = .\nprelude=prelude\n\n[buildfile]\nname = BUCK\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.sections.len(), 2);
    assert_eq!(f.sections[0].name, "cells");
    assert_eq!(s(text, &f.sections[0].span), "[cells]");
    assert_eq!(s(text, &f.sections[1].name_span), "buildfile");
    assert_eq!(f.entries.len(), 3);

    let root = f.get("cells", "root").unwrap();
    assert_eq!(root.value, ".");
    assert_eq!(s(text, &root.key_span), "root");
    assert_eq!(s(text, &root.value_span), ".");
    assert_eq!(s(text, &root.line_span), "  root = .");

    let prelude = f.get("cells", "prelude").unwrap();
    assert_eq!(prelude.value, "prelude");
    assert_eq!(s(text, &prelude.line_span), "prelude=prelude");
    assert_eq!(f.value("buildfile", "name"), Some("BUCK"));
    assert_eq!(f.get("buildfile", "root"), None);
    assert!(f.has_section("cells") && !f.has_section("nope"));
}

#[test]
fn odd_header_names_and_whitespace() {
    let text = "  [agent_context#intent]  \nk = v\n[ spaced ]\nx=1\n[a]b]\ny=2\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let names: Vec<_> = f.sections.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["agent_context#intent", "spaced", "a]b"]);
    assert_eq!(s(text, &f.sections[0].span), "[agent_context#intent]");
    assert_eq!(s(text, &f.sections[1].span), "[ spaced ]");
    assert_eq!(s(text, &f.sections[1].name_span), "spaced");
    assert_eq!(f.value("agent_context#intent", "k"), Some("v"));
    assert_eq!(f.value("spaced", "x"), Some("1"));
    assert_eq!(f.value("a]b", "y"), Some("2"));
}

#[test]
fn comments_are_whole_lines_only() {
    let text =
        "# top\n; semi\n[s]\n   # indented comment\n\t; tab comment\nurl = https://x.org/a#frag ; not a comment\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.entries.len(), 1);
    let e = f.get("s", "url").unwrap();
    assert_eq!(e.value, "https://x.org/a#frag ; not a comment");
    assert_eq!(s(text, &e.value_span), e.value);
}

#[test]
fn values_are_verbatim() {
    let text = "[s]\na = $(config cells.root)/x\nb = $HOME/y\nc = x = y\nd==\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty());
    assert_eq!(f.value("s", "a"), Some("$(config cells.root)/x"));
    assert_eq!(f.value("s", "b"), Some("$HOME/y"));
    assert_eq!(f.value("s", "c"), Some("x = y"));
    assert_eq!(f.value("s", "d"), Some("="));
}

#[test]
fn empty_values() {
    let text = "[s]\nempty =\nspaces =    \nnext = 1";
    let f = parse_checked(text);
    assert!(f.errors.is_empty());
    let e = f.get("s", "empty").unwrap();
    assert_eq!(e.value, "");
    assert!(e.value_span.is_empty());
    assert_eq!(e.value_span.start, text.find("empty =").unwrap() + "empty =".len());
    assert_eq!(f.value("s", "spaces"), Some(""));
    assert_eq!(s(text, &f.get("s", "spaces").unwrap().line_span), "spaces =    ");
    assert_eq!(f.value("s", "next"), Some("1"));
}

#[test]
fn line_continuation() {
    let text = "[project]\nignore = a, \\\n    b,\\\n  c   \nafter = 1\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let e = f.get("project", "ignore").unwrap();
    assert_eq!(e.value, "a, b, c");
    assert_eq!(s(text, &e.value_span), "a, \\\n    b,\\\n  c");
    assert_eq!(s(text, &e.line_span), "ignore = a, \\\n    b,\\\n  c   ");
    assert_eq!(f.value("project", "after"), Some("1"));
}

#[test]
fn continuation_lines_are_value_text() {
    // A continuation line that looks like a comment, header or include
    // still belongs to the value.
    let text = "[s]\nk = \\\n# not a comment \\\n[not_a_header] \\\n<file:x>\nj = 2\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert!(f.includes.is_empty());
    assert_eq!(f.sections.len(), 1);
    let e = f.get("s", "k").unwrap();
    assert_eq!(e.value, "# not a comment [not_a_header] <file:x>");
    // The value starts on the first continuation line.
    assert!(s(text, &e.value_span).starts_with("# not a comment"));
    assert!(s(text, &e.value_span).ends_with("<file:x>"));
    assert_eq!(f.value("s", "j"), Some("2"));
}

#[test]
fn continuation_edge_cases() {
    // Continuation at end of file, into a blank line, and a bare `\` line.
    let f = parse_checked("[s]\na = x \\");
    assert_eq!(f.value("s", "a"), Some("x"));
    let text = "[s]\na = x \\\n\nb = y\n";
    let f = parse_checked(text);
    assert_eq!(f.value("s", "a"), Some("x"));
    assert_eq!(f.value("s", "b"), Some("y"));
    assert_eq!(s(text, &f.get("s", "a").unwrap().line_span), "a = x \\\n");
    let f = parse_checked("[s]\na = x \\\n   \\\n y\n");
    assert_eq!(f.value("s", "a"), Some("x y"));
    let f = parse_checked("[s]\na = \\\n");
    assert_eq!(f.value("s", "a"), Some(""));
    // A backslash in the middle of a value is kept.
    let f = parse_checked("[s]\npath = C:\\dir\\x\n");
    assert_eq!(f.value("s", "path"), Some("C:\\dir\\x"));
}

#[test]
fn crlf_and_bom() {
    let text = "\u{feff}[cells]\r\nroot = .\r\nlist = a,\\\r\n  b\r\n\r\n; c\r\n[x]\r\ny=z";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.sections[0].name, "cells");
    assert_eq!(f.sections[0].span.start, 3);
    let root = f.get("cells", "root").unwrap();
    assert_eq!(s(text, &root.line_span), "root = .");
    assert_eq!(s(text, &root.value_span), ".");
    let list = f.get("cells", "list").unwrap();
    assert_eq!(list.value, "a, b");
    assert_eq!(s(text, &list.line_span), "list = a,\\\r\n  b");
    let items: Vec<_> = split_list(list, text).into_iter().map(|(i, r)| (i.clone(), s(text, &r))).collect();
    assert_eq!(items, [("a".to_owned(), "a".to_owned()), ("b".to_owned(), "b".to_owned())]);
    assert_eq!(f.value("x", "y"), Some("z"));
    assert_eq!(s(text, &f.get("x", "y").unwrap().line_span), "y=z");
}

#[test]
fn bom_only_at_start() {
    // A BOM that is not at the start is ordinary text.
    let f = parse_checked("[s]\n\u{feff}k = v\n");
    assert_eq!(f.entries[0].key, "\u{feff}k");
    let f = parse_checked("\u{feff}");
    assert_eq!(f, BuckConfigFile::default());
}

#[test]
fn includes() {
    let text = "<file:base.bcfg>\n[s]\n  <?file: local/x.bcfg >\nk = v\n<file:a=b>\n";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.includes.len(), 3);
    assert_eq!(f.includes[0].path, "base.bcfg");
    assert!(!f.includes[0].optional);
    assert_eq!(s(text, &f.includes[0].span), "<file:base.bcfg>");
    assert_eq!(f.includes[1].path, "local/x.bcfg");
    assert!(f.includes[1].optional);
    assert_eq!(s(text, &f.includes[1].span), "<?file: local/x.bcfg >");
    assert_eq!(s(text, &f.includes[1].path_span), "local/x.bcfg");
    assert_eq!(f.includes[2].path, "a=b");
    // Includes do not close the section.
    assert_eq!(f.value("s", "k"), Some("v"));
}

#[test]
fn include_errors() {
    let text = "<file:x\n<?file:>\n<include x>\n";
    let f = parse_checked(text);
    assert!(f.includes.is_empty());
    assert_eq!(
        kinds(&f),
        [ConfigErrorKind::MalformedInclude, ConfigErrorKind::EmptyIncludePath, ConfigErrorKind::MalformedInclude]
    );
    assert_eq!(s(text, &f.errors[0].span), "<file:x");
    assert_eq!(s(text, &f.errors[2].span), "<include x>");
}

#[test]
fn last_assignment_wins() {
    let text = "[s]\nk = 1\nother = a\n[t]\nk = t\n[s]\nk = 2\n";
    let f = parse_checked(text);
    let e = f.get("s", "k").unwrap();
    assert_eq!(e.value, "2");
    assert_eq!(e.key_span.start, text.rfind("k = 2").unwrap());
    assert_eq!(f.value("t", "k"), Some("t"));
    assert_eq!(f.sections.len(), 3);
    let effective: Vec<_> = f.section_entries("s").map(|e| (e.key.as_str(), e.value.as_str())).collect();
    assert_eq!(effective, [("k", "2"), ("other", "a")]);
    assert_eq!(f.section_entries("missing").count(), 0);
}

#[test]
fn error_unexpected_line_and_recovery() {
    let text = "[s]\njust some words\nk = v\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), [ConfigErrorKind::UnexpectedLine]);
    assert_eq!(f.errors[0].message, "expected `key = value`, a `[section]` header or a comment");
    assert_eq!(s(text, &f.errors[0].span), "just some words");
    assert_eq!(f.value("s", "k"), Some("v"));
}

#[test]
fn error_key_outside_section() {
    let text = "k = v \\\n  continued\n[s]\nj = w\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), [ConfigErrorKind::KeyOutsideSection]);
    assert_eq!(f.errors[0].message, "`key = value` outside of any `[section]`");
    assert_eq!(s(text, &f.errors[0].span), "k = v \\\n  continued");
    assert_eq!(f.entries.len(), 1);
    assert_eq!(f.value("s", "j"), Some("w"));
}

#[test]
fn error_empty_key() {
    let text = "[s]\n  = value\nk = v\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), [ConfigErrorKind::EmptyKey]);
    assert_eq!(s(text, &f.errors[0].span), "= value");
    assert_eq!(f.entries.len(), 1);
}

#[test]
fn error_unclosed_header() {
    let text = "[good]\na = 1\n[cells\nb = 2\n  = 3\n[next]\nc = 3\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), [ConfigErrorKind::UnclosedHeader, ConfigErrorKind::EmptyKey]);
    assert_eq!(s(text, &f.errors[0].span), "[cells");
    // `b` is neither attributed to `[good]` nor reported.
    assert_eq!(f.get("good", "b"), None);
    assert_eq!(f.value("next", "c"), Some("3"));
    assert_eq!(f.entries.len(), 2);
}

#[test]
fn error_empty_header_name() {
    let text = "[]\nk = v\n[  ]\n[ok]\nj = w\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), [ConfigErrorKind::EmptySectionName, ConfigErrorKind::EmptySectionName]);
    assert_eq!(s(text, &f.errors[0].span), "[]");
    assert_eq!(s(text, &f.errors[1].span), "[  ]");
    assert_eq!(f.entries.len(), 1);
    assert_eq!(f.value("ok", "j"), Some("w"));
}

#[test]
fn comment_after_header_is_accepted() {
    // Buck2's parser accepts it (seen in the prelude's own `.buckconfig`).
    let text = "[cells] # trailing comment\nroot = .\n[not_buildfile] ; @oss-enable\nname = BUCK\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), []);
    assert_eq!(s(text, &f.sections[0].span), "[cells]");
    assert_eq!(f.value("cells", "root"), Some("."));
    assert_eq!(f.value("not_buildfile", "name"), Some("BUCK"));
}

#[test]
fn error_text_after_header() {
    let text = "[cells] root = .\nroot = .\n";
    let f = parse_checked(text);
    assert_eq!(kinds(&f), [ConfigErrorKind::TextAfterHeader]);
    assert_eq!(s(text, &f.errors[0].span), "root = .");
    assert_eq!(s(text, &f.sections[0].span), "[cells]");
    assert_eq!(f.value("cells", "root"), Some("."));
}

#[test]
fn split_list_single_line() {
    let text = "[project]\nignore = a/b, , c/**/d ,e,\n";
    let f = parse_checked(text);
    let e = f.get("project", "ignore").unwrap();
    let items = split_list(e, text);
    let got: Vec<_> = items.iter().map(|(i, r)| (i.as_str(), s(text, r))).collect();
    assert_eq!(got, [("a/b", "a/b".into()), ("c/**/d", "c/**/d".into()), ("e", "e".into())]);
}

#[test]
fn split_list_across_continuations() {
    let text = "[buildfile]\nname = BUCK.v2, \\\n  BUCK, TAR\\\n  GETS, \\\n  BUILD\n";
    let f = parse_checked(text);
    let e = f.get("buildfile", "name").unwrap();
    assert_eq!(e.value, "BUCK.v2, BUCK, TAR GETS, BUILD");
    let items = split_list(e, text);
    let names: Vec<_> = items.iter().map(|(i, _)| i.as_str()).collect();
    assert_eq!(names, ["BUCK.v2", "BUCK", "TAR GETS", "BUILD"]);
    assert_eq!(s(text, &items[0].1), "BUCK.v2");
    assert_eq!(s(text, &items[1].1), "BUCK");
    assert_eq!(s(text, &items[2].1), "TAR\\\n  GETS");
    assert_eq!(s(text, &items[3].1), "BUILD");
}

#[test]
fn split_list_empty_and_mismatched_text() {
    let text = "[s]\nk =\nj = , ,\n";
    let f = parse_checked(text);
    assert!(split_list(f.get("s", "k").unwrap(), text).is_empty());
    assert!(split_list(f.get("s", "j").unwrap(), text).is_empty());
    // Wrong text: no panic.
    assert!(split_list(f.get("s", "j").unwrap(), "").is_empty());
    let long = parse("[s]\nk = ééé, a\n");
    let _ = split_list(&long.entries[0], "[s]\nk = x");
    let _ = split_list(&long.entries[0], "[s]\nk = é,ü,a, b c d");
}

#[test]
fn no_trailing_newline_and_empty_input() {
    assert_eq!(parse(""), BuckConfigFile::default());
    assert_eq!(parse("\n\n\r\n"), BuckConfigFile::default());
    let f = parse_checked("[s]\nk = v");
    assert_eq!(f.value("s", "k"), Some("v"));
    let f = parse_checked("[s]");
    assert_eq!(f.sections.len(), 1);
}

#[test]
fn nul_bytes_and_lone_cr() {
    let text = "[s\0]\nk\0 = v\0\r\n\r\na = b\rc = d\n\r\n\r";
    let f = parse_checked(text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.sections[0].name, "s\0");
    assert_eq!(f.value("s\0", "k\0"), Some("v\0"));
    // A lone `\r` does not end a line.
    assert_eq!(f.value("s\0", "a"), Some("b\rc = d"));
}

#[test]
fn very_long_lines_and_many_continuations() {
    let long_value = "x".repeat(1 << 20);
    let text = format!("[s]\nk = {long_value}\n");
    let f = parse_checked(&text);
    assert_eq!(f.value("s", "k").map(str::len), Some(1 << 20));

    let mut text = String::from("[s]\nk = a");
    for _ in 0..100_000 {
        text.push_str(", b \\\n");
    }
    text.push_str("c\n");
    let f = parse(&text);
    let e = f.get("s", "k").unwrap();
    assert_eq!(split_list(e, &text).len(), 100_001);

    let text = "[".repeat(200_000) + &"]".repeat(200_000) + "\n" + &"=".repeat(100_000);
    let _ = parse_checked(&text);
}

#[test]
fn random_lines_never_panic() {
    // A small xorshift generator: deterministic, no dependencies.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces: &[&[u8]] = &[
        b"[",
        b"]",
        b"=",
        b"\\",
        b"#",
        b";",
        b"<",
        b">",
        b"<file:",
        b"<?file:",
        b",",
        b" ",
        b"\t",
        b"\r",
        b"\r\n",
        b"\0",
        b"key",
        b"value",
        b"$(config a.b)",
        b"\xef\xbb\xbf",
        b"\xc3\xa9",
        b"\xff",
        b"\xe2\x82",
    ];
    let mut all = Vec::new();
    for _ in 0..10_000 {
        let mut line = Vec::new();
        let len = next() % 12;
        for _ in 0..len {
            let r = next();
            if r % 4 == 0 {
                line.push(r.to_le_bytes()[1]);
            } else {
                line.extend_from_slice(pieces[(r >> 8) as usize % pieces.len()]);
            }
        }
        let text = String::from_utf8_lossy(&line);
        parse_checked(&text);
        parse_checked(&format!("[s]\n{text}"));
        all.extend_from_slice(&line);
        all.push(b'\n');
    }
    let text = String::from_utf8_lossy(&all);
    let f = parse_checked(&text);
    assert!(!f.errors.is_empty());
}
