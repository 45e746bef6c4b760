//! Meta rules: about buck-lint's own input and comments.
pub mod syntax_error;
