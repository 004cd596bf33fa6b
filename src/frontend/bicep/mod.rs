//! Bicep front-end: `.bicep` and `.bicepparam` files parsed by a hand-written,
//! newline-sensitive parser ([`lexer`], [`parser`]) into a syntax tree ([`syntax`]).

pub mod lexer;
pub mod parser;
pub mod syntax;

/// A parsed Bicep file: its declarations, its comments and directives, and its syntax errors
/// (empty when it parsed).
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The declarations that parsed.
    pub file: syntax::File,
    /// Comments and `#disable-*` directives, for suppressions.
    pub trivia: Vec<lexer::Trivia>,
    /// Syntax errors, in order.
    pub errors: Vec<parser::ParseError>,
}

/// Lexes and parses one `.bicep` or `.bicepparam` text (without a byte-order mark).
pub fn parse_text(text: &str) -> Parsed {
    let lexed = lexer::lex(text);
    let (file, errors) = parser::parse(text, &lexed);
    Parsed {
        file,
        trivia: lexed.trivia,
        errors,
    }
}
