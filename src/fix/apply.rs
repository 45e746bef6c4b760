//! Text-level fix machinery: conflict checks, applying byte-range edits, mapping offsets
//! through applied edits, and line-ending handling. No I/O and no engine here.

/// One replacement in one file's (BOM-less) text: bytes `start..end` become `content`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub content: String,
}

impl TextEdit {
    pub fn new(start: usize, end: usize, content: impl Into<String>) -> TextEdit {
        TextEdit { start, end, content: content.into() }
    }
}

/// Whether two edits cannot both be applied: their ranges overlap, or they start at the same
/// offset and one of them is an insertion (the order of the two would be ambiguous).
/// Edits that merely touch (`a.end == b.start`, both non-empty) do not conflict.
pub fn conflicts(a: &TextEdit, b: &TextEdit) -> bool {
    if a.start < b.end && b.start < a.end {
        return true;
    }
    a.start == b.start && (a.start == a.end || b.start == b.end)
}

/// Why an edit cannot be applied to a text.
pub fn check_edit(text: &str, e: &TextEdit) -> Result<(), String> {
    if e.start > e.end || e.end > text.len() {
        return Err(format!("its edit {}..{} is outside the file ({} bytes)", e.start, e.end, text.len()));
    }
    if !text.is_char_boundary(e.start) || !text.is_char_boundary(e.end) {
        return Err(format!("its edit {}..{} splits a UTF-8 character", e.start, e.end));
    }
    Ok(())
}

/// Apply non-conflicting, valid edits (in any order) to `text`.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.content.len()).sum::<usize>());
    let mut at = 0;
    for e in sorted {
        debug_assert!(e.start >= at, "overlapping edits");
        out.push_str(&text[at..e.start]);
        out.push_str(&e.content);
        at = e.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Map a byte range of the old text to the new text after applying `edits` (non-conflicting).
/// A position inside an edited range maps to the whole replacement, so the result covers
/// everything that replaced the original range.
pub fn map_range(edits: &[TextEdit], start: usize, end: usize) -> (usize, usize) {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let map = |o: usize, low: bool| -> usize {
        let mut delta: isize = 0;
        for e in &sorted {
            let new_start = (e.start as isize + delta) as usize;
            let new_end = new_start + e.content.len();
            if o < e.start || (o == e.start && low && e.start != e.end) {
                return (o as isize + delta) as usize;
            }
            if o < e.end || (o == e.end && !low) || (e.start == e.end && o == e.start) {
                return if low { new_start } else { new_end };
            }
            delta += e.content.len() as isize - (e.end - e.start) as isize;
        }
        (o as isize + delta) as usize
    };
    let s = map(start, true);
    let e = map(end, false).max(s);
    (s, e)
}

/// Map an offset of the text after applying `edits` back to the text before: offsets inside
/// a replacement map to the start of the range it replaced.
pub fn unmap_offset(edits: &[TextEdit], o: usize) -> usize {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut delta: isize = 0;
    for e in sorted {
        let new_start = (e.start as isize + delta) as usize;
        let new_end = new_start + e.content.len();
        if o < new_start {
            break;
        }
        if o < new_end {
            return e.start;
        }
        delta += e.content.len() as isize - (e.end - e.start) as isize;
    }
    (o as isize - delta).max(0) as usize
}

/// The new-text ranges of `edits` after applying them all (sorted by position).
pub fn new_ranges(edits: &[TextEdit]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut delta: isize = 0;
    let mut out = Vec::with_capacity(sorted.len());
    for e in sorted {
        let s = (e.start as isize + delta) as usize;
        out.push((s, s + e.content.len()));
        delta += e.content.len() as isize - (e.end - e.start) as isize;
    }
    out
}

/// Whether a file uses CRLF line endings (decided by its first line ending, as ruff does).
pub fn is_crlf(text: &str) -> bool {
    match text.find('\n') {
        Some(i) => i > 0 && text.as_bytes()[i - 1] == b'\r',
        None => false,
    }
}

/// Make inserted content use the file's line endings: in a CRLF file every bare `\n`
/// becomes `\r\n`; LF files are left alone.
pub fn normalize_newlines(content: &str, crlf: bool) -> String {
    if !crlf || !content.contains('\n') {
        return content.to_string();
    }
    let mut out = String::with_capacity(content.len() + 8);
    let mut prev = '\0';
    for c in content.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: usize, t: usize, c: &str) -> TextEdit {
        TextEdit::new(s, t, c)
    }

    #[test]
    fn conflict_rules() {
        assert!(conflicts(&e(0, 5, ""), &e(3, 8, "")));
        assert!(!conflicts(&e(0, 5, ""), &e(5, 8, "")), "touching replacements are fine");
        assert!(conflicts(&e(4, 4, "x"), &e(4, 4, "y")), "two insertions at one point");
        assert!(conflicts(&e(4, 4, "x"), &e(4, 6, "y")), "insertion at the start of a replacement");
        assert!(!conflicts(&e(4, 4, "x"), &e(2, 4, "y")), "insertion right after a replacement");
        assert!(conflicts(&e(3, 3, "x"), &e(2, 4, "y")), "insertion inside a replacement");
    }

    #[test]
    fn apply_and_map() {
        let t = "abcdefghij";
        let edits = vec![e(7, 9, "XYZ"), e(1, 3, ""), e(5, 5, "++")];
        let out = apply_edits(t, &edits);
        assert_eq!(out, "ade++fgXYZj");
        // "d" (3..4) moves to 1..2
        assert_eq!(map_range(&edits, 3, 4), (1, 2));
        // a range inside the deleted "bc" maps to the empty replacement at 1
        assert_eq!(map_range(&edits, 1, 3), (1, 1));
        // "hi" (7..9) maps to "XYZ"
        let (s, t2) = map_range(&edits, 7, 9);
        assert_eq!(&out[s..t2], "XYZ");
        assert_eq!(new_ranges(&edits), vec![(1, 1), (3, 5), (7, 10)]);
        // and back: "d" at 1 came from 3, "e" from 4, "XYZ" from 7, "j" from 9, "f" (5) from 5
        assert_eq!(unmap_offset(&edits, 1), 3);
        assert_eq!(unmap_offset(&edits, 3), 5, "inserted text maps to its insertion point");
        assert_eq!(unmap_offset(&edits, 2), 4);
        assert_eq!(unmap_offset(&edits, 8), 7);
        assert_eq!(unmap_offset(&edits, 10), 9);
        assert_eq!(unmap_offset(&edits, 5), 5);
        assert_eq!(&out[7..10], "XYZ");
    }

    #[test]
    fn check_bounds() {
        assert!(check_edit("abc", &e(1, 2, "")).is_ok());
        assert!(check_edit("abc", &e(2, 4, "")).is_err());
        assert!(check_edit("aé", &e(2, 3, "")).is_err());
    }

    #[test]
    fn line_endings() {
        assert!(is_crlf("a\r\nb\n"));
        assert!(!is_crlf("a\nb\r\n"));
        assert!(!is_crlf("no newline"));
        assert_eq!(normalize_newlines("x\ny\r\nz\n", true), "x\r\ny\r\nz\r\n");
        assert_eq!(normalize_newlines("x\ny", false), "x\ny");
    }
}
