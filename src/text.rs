//! Text helpers shared across modules: closest-name suggestions ("did you mean").

/// The candidate closest to `name` by Damerau-Levenshtein distance, with that distance, when it
/// is within 3 edits (or a third of the candidate's length); the first of equally close ones.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<(usize, &'a str)> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
}

/// "did you mean" suffix for an unknown name.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(name, candidates) {
        Some((_, c)) => format!("; did you mean `{c}`?"),
        None => String::new(),
    }
}
