//! Text helpers that compute the byte ranges and text fixes edit.

use super::*;

/// A key as TOML source: bare when possible, else literal or basic string.
pub fn quote_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else if !k.contains('\'') && !k.contains('\n') && !k.contains('\r') {
        format!("'{k}'")
    } else {
        toml_string(k)
    }
}

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// Text helpers for fixes
// ---------------------------------------------------------------------------------------------

/// Start of the line containing `off`.
pub fn line_start(text: &str, off: usize) -> usize {
    text[..off.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Offset just after the newline ending the line containing `off` (or the text's end).
pub fn line_end(text: &str, off: usize) -> usize {
    let off = off.min(text.len());
    text[off..].find('\n').map(|i| off + i + 1).unwrap_or(text.len())
}

/// Byte offsets of every explicit table header and array-of-tables element, sorted.
pub fn header_starts(doc: &Document<String>) -> Vec<usize> {
    fn go(t: &dyn TableLike, out: &mut Vec<usize>) {
        for (_, item) in t.iter() {
            match item {
                Item::Table(tt) => {
                    if let Some(h) = header_span(item) {
                        out.push(h.start);
                    }
                    go(tt, out);
                }
                Item::ArrayOfTables(a) => {
                    for tt in a.iter() {
                        if let Some(s) = tt.span() {
                            out.push(s.start);
                        }
                        go(tt, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    go(doc.as_table(), &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// End of the body of the table whose header starts at `start`: the next header, moved back
/// over the comment and blank lines directly above it (they belong to that header).
pub fn body_end(text: &str, headers: &[usize], start: usize) -> usize {
    let next = headers.iter().copied().find(|&h| h > start);
    match next {
        None => text.len(),
        Some(h) => back_over_comments(text, line_start(text, h), start),
    }
}

/// Move `pos` (a line start) back over whole comment and blank lines, not before `floor`.
pub(crate) fn back_over_comments(text: &str, mut pos: usize, floor: usize) -> usize {
    while pos > floor {
        let prev = line_start(text, pos - 1);
        if prev < floor {
            break;
        }
        let line = text[prev..pos].trim();
        if line.is_empty() || line.starts_with('#') {
            pos = prev;
        } else {
            break;
        }
    }
    pos
}

/// The whole lines of a key/value pair (from its key's line to its value's line).
pub fn kv_lines(text: &str, key_span: &Range<usize>, value_span: &Range<usize>) -> Range<usize> {
    line_start(text, key_span.start)..line_end(text, value_span.end.max(key_span.end).saturating_sub(1))
}

/// The byte ranges that make up an item in the text: a key/value's lines, an explicit table's
/// header and body, and (recursively) the pieces of implicit and dotted tables. Deleting all of
/// them deletes the item.
pub fn item_regions(text: &str, headers: &[usize], key_span: &Range<usize>, item: &Item) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    fn go(text: &str, headers: &[usize], key_span: &Range<usize>, item: &Item, out: &mut Vec<Range<usize>>) {
        match item {
            Item::None => {}
            Item::Value(v) => {
                let vs = v.span().unwrap_or(key_span.clone());
                out.push(kv_lines(text, key_span, &vs));
            }
            Item::Table(t) => {
                if let Some(h) = header_span(item) {
                    out.push(line_start(text, h.start)..body_end(text, headers, h.start));
                }
                for (k, sub) in t.iter() {
                    let ks = t.key(k).and_then(|k| k.span()).unwrap_or(0..0);
                    if header_span(item).is_some() && sub.is_value() {
                        continue; // inside the body already
                    }
                    go(text, headers, &ks, sub, out);
                }
            }
            Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    if let Some(h) = t.span() {
                        out.push(line_start(text, h.start)..body_end(text, headers, h.start));
                    }
                    for (k, sub) in t.iter() {
                        if sub.is_value() {
                            continue;
                        }
                        let ks = t.key(k).and_then(|k| k.span()).unwrap_or(0..0);
                        go(text, headers, &ks, sub, out);
                    }
                }
            }
        }
    }
    go(text, headers, key_span, item, &mut out);
    out.sort_by_key(|r| (r.start, r.end));
    // merge overlapping pieces (a key/value line inside an already covered body)
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in out {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Where a new top-level key/value line can be inserted: after the last top-level key/value
/// line, or before the first table header (and the comments directly above it), or at the end.
pub fn root_insertion_point(doc: &Document<String>, headers: &[usize]) -> usize {
    let text = doc.raw();
    let root = doc.as_table();
    let mut last_end = None;
    for (k, item) in root.iter() {
        let in_root = match item {
            Item::Value(v) => Some(v.span()),
            Item::Table(t) if t.is_dotted() => Some(dotted_end(t)),
            _ => None,
        };
        if let Some(Some(span)) = in_root {
            let ks = root.key(k).and_then(|k| k.span()).unwrap_or(span.clone());
            let end = line_end(text, span.end.max(ks.end).saturating_sub(1));
            last_end = Some(last_end.map_or(end, |e: usize| e.max(end)));
        }
    }
    if let Some(e) = last_end {
        return e;
    }
    match headers.first() {
        Some(&h) => back_over_comments(text, line_start(text, h), 0).max(leading_comment_end(text, h)),
        None => text.len(),
    }
}

/// End of the file's leading comment block (a licence header), when it is followed by a blank
/// line; 0 otherwise. Keeps inserted keys below licence headers.
pub(crate) fn leading_comment_end(text: &str, limit: usize) -> usize {
    let mut pos = 0;
    let mut saw_comment = false;
    while pos < limit {
        let end = line_end(text, pos);
        let line = text[pos..end].trim();
        if line.starts_with('#') {
            saw_comment = true;
            pos = end;
        } else if line.is_empty() && saw_comment {
            return end;
        } else {
            break;
        }
    }
    0
}

pub(crate) fn dotted_end(t: &toml_edit::Table) -> Option<Range<usize>> {
    let mut best: Option<Range<usize>> = None;
    for (_, item) in t.iter() {
        let s = match item {
            Item::Value(v) => v.span(),
            Item::Table(tt) if tt.is_dotted() => dotted_end(tt),
            _ => None,
        };
        if let Some(s) = s {
            if best.as_ref().is_none_or(|b| s.end > b.end) {
                best = Some(s);
            }
        }
    }
    best
}

/// Insert `line` (without newline) at `at`, which is a line start or the text's end.
pub fn line_insertion(text: &str, at: usize, line: &str) -> String {
    if at > 0 && at == text.len() && !text.ends_with('\n') { format!("\n{line}\n") } else { format!("{line}\n") }
}

/// `r` (whole lines to delete) widened over the blank lines that would be left doubled: the
/// blank lines after it when a blank line (or the file's start) precedes it, or the blank
/// lines before it when it runs to the end of the file.
pub fn deletion_with_blank_lines(text: &str, r: Range<usize>) -> Range<usize> {
    let blank = |s: &str| s.trim().is_empty();
    if r.end >= text.len() {
        let mut start = r.start;
        while start > 0 {
            let prev = line_start(text, start - 1);
            if !blank(&text[prev..start]) {
                break;
            }
            start = prev;
        }
        return start..r.end;
    }
    let preceded = r.start == 0 || blank(&text[line_start(text, r.start - 1)..r.start]);
    if !preceded {
        return r;
    }
    let mut end = r.end;
    while end < text.len() {
        let next = line_end(text, end);
        if !blank(&text[end..next]) {
            break;
        }
        end = next;
    }
    r.start..end
}

/// The range to delete to remove one element of an inline array, with its separator.
pub fn array_element_removal(text: &str, array: &toml_edit::Array, index: usize) -> Option<Range<usize>> {
    let spans: Vec<Range<usize>> = array.iter().map(|v| v.span()).collect::<Option<Vec<_>>>()?;
    let this = spans.get(index)?.clone();
    if let Some(next) = spans.get(index + 1) {
        // up to the next element
        return Some(this.start..next.start);
    }
    if index > 0 {
        // from the end of the previous element (its comma) to the end of this one
        let prev = &spans[index - 1];
        return Some(prev.end..this.end);
    }
    // the only element: also a trailing comma
    let rest = &text[this.end..];
    let trimmed = rest.trim_start();
    let end = if trimmed.starts_with(',') { this.end + (rest.len() - trimmed.len()) + 1 } else { this.end };
    Some(this.start..end)
}

/// Token span of the first key of a table header (`[a.b]` → `a`) starting at `header_start`.
pub fn header_first_key(text: &str, header_start: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = header_start;
    while i < bytes.len() && bytes[i] == b'[' {
        i += 1;
    }
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    key_token_end(text, i).map(|e| i..e)
}

/// End of the key token starting at `i` (bare, basic or literal).
pub(crate) fn key_token_end(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes.get(i)? {
        b'\'' => text[i + 1..].find('\'').map(|j| i + 1 + j + 1),
        b'"' => {
            let mut j = i + 1;
            while j < bytes.len() {
                match bytes[j] {
                    b'\\' => j += 2,
                    b'"' => return Some(j + 1),
                    b'\n' => return None,
                    _ => j += 1,
                }
            }
            None
        }
        _ => {
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_' || bytes[j] == b'-') {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Span of `first` `.` `second` key tokens at the start of a header (for `platform_fixup.'…'`).
pub fn header_two_keys(text: &str, header_start: usize) -> Option<Range<usize>> {
    let first = header_first_key(text, header_start)?;
    let bytes = text.as_bytes();
    let mut i = first.end;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    if bytes.get(i) != Some(&b'.') {
        return None;
    }
    i += 1;
    while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    let end = key_token_end(text, i)?;
    Some(first.start..end)
}

/// Headers (table and array-of-tables element starts) inside an item's subtree, including its
/// own. `None` when part of the subtree is written without a header (dotted keys).
pub fn subtree_headers(item: &Item) -> Option<Vec<usize>> {
    fn go(item: &Item, out: &mut Vec<usize>) -> bool {
        match item {
            Item::Table(t) => {
                if t.is_dotted() {
                    return false;
                }
                if let Some(h) = header_span(item) {
                    out.push(h.start);
                }
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, out),
                    _ => true,
                })
            }
            Item::ArrayOfTables(a) => a.iter().all(|t| {
                if let Some(s) = t.span() {
                    out.push(s.start);
                }
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, out),
                    _ => true,
                })
            }),
            _ => false,
        }
    }
    let mut out = Vec::new();
    go(item, &mut out).then(|| {
        out.sort_unstable();
        out
    })
}

/// Headers inside a section's subtree, like [`subtree_headers`], but dotted keys and inline
/// tables written in the body of one of the subtree's own headers are accepted: their key
/// paths are relative to that header, so renaming the headers renames them too
/// (`[platform_fixup.'cfg(P)']` + `buildscript.run = true`). `None` when a part of the
/// subtree is written with a dotted key outside its headers (or the item is not a table).
pub fn section_headers(item: &Item) -> Option<Vec<usize>> {
    fn go(item: &Item, under_header: bool, out: &mut Vec<usize>) -> bool {
        match item {
            Item::Table(t) => {
                let under = if t.is_dotted() {
                    if !under_header {
                        return false;
                    }
                    true
                } else if let Some(h) = header_span(item) {
                    out.push(h.start);
                    true
                } else {
                    false // implicit: only headers below it can hold its keys
                };
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, under, out),
                    _ => true,
                })
            }
            Item::ArrayOfTables(a) => a.iter().all(|t| {
                if let Some(s) = t.span() {
                    out.push(s.start);
                }
                t.iter().all(|(_, sub)| match sub {
                    Item::Table(_) | Item::ArrayOfTables(_) => go(sub, true, out),
                    _ => true,
                })
            }),
            _ => false,
        }
    }
    let mut out = Vec::new();
    go(item, false, &mut out).then(|| {
        out.sort_unstable();
        out.dedup();
        out
    })
}
