//! Saved replies with variables: `Hi {{contact.first_name}}, ...`.
//!
//! A template is parsed once (unknown variables and unclosed `{{` are errors that name the line
//! and column), then rendered against a context. A value the context lacks renders as the
//! variable's fallback, so a reply never goes out with a hole or a raw `{{...}}`:
//!
//! | variable | value | fallback |
//! |---|---|---|
//! | `contact.first_name` | the contact's first name, else the first word of their name when it is a plain word (not a handle or a number) | `there` |
//! | `contact.name` | the contact's name | `there` |
//! | `agent.name` | the agent's name | `the team` |
//! | `agent.first_name` | the agent's first name, else the first word of their name | `the team` |
//! | `case.id` | the case number | `your case` |
//! | `brand.name` | the company's name | `us` |
//!
//! Whitespace inside the braces is ignored (`{{ agent.name }}`). Values are inserted as plain
//! text; escaping for HTML is the renderer's job.

use crate::CaseId;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Variable {
    ContactFirstName,
    ContactName,
    AgentName,
    AgentFirstName,
    CaseId,
    BrandName,
}

impl Variable {
    pub const ALL: [Variable; 6] = [
        Self::ContactFirstName,
        Self::ContactName,
        Self::AgentName,
        Self::AgentFirstName,
        Self::CaseId,
        Self::BrandName,
    ];

    /// The name written between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Self::ContactFirstName => "contact.first_name",
            Self::ContactName => "contact.name",
            Self::AgentName => "agent.name",
            Self::AgentFirstName => "agent.first_name",
            Self::CaseId => "case.id",
            Self::BrandName => "brand.name",
        }
    }

    /// What renders when the context has no value.
    pub fn fallback(self) -> &'static str {
        match self {
            Self::ContactFirstName | Self::ContactName => "there",
            Self::AgentName | Self::AgentFirstName => "the team",
            Self::CaseId => "your case",
            Self::BrandName => "us",
        }
    }

    pub fn from_name(name: &str) -> Option<Variable> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl fmt::Display for Variable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error(
        "unknown variable '{name}' at line {line}, column {column} (expected contact.first_name, \
         contact.name, agent.name, agent.first_name, case.id or brand.name)"
    )]
    UnknownVariable {
        name: String,
        line: usize,
        column: usize,
    },
    #[error("'{{{{' at line {line}, column {column} is not closed with '}}}}'")]
    Unclosed { line: usize, column: usize },
    #[error("empty variable '{{{{}}}}' at line {line}, column {column}")]
    Empty { line: usize, column: usize },
}

/// A person as a template sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonVars {
    pub name: Option<String>,
    pub first_name: Option<String>,
}

/// Everything a saved reply may refer to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TemplateContext {
    pub contact: PersonVars,
    pub agent: PersonVars,
    pub case_id: Option<CaseId>,
    pub brand_name: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The first word of a name, when it looks like a given name rather than a handle, an
/// anonymised number or an address.
fn first_word(name: &str) -> Option<&str> {
    let word = name.split_whitespace().next()?;
    let plain = word
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'));
    (plain && word.chars().any(char::is_alphabetic)).then_some(word)
}

impl PersonVars {
    fn first_name(&self) -> Option<&str> {
        present(&self.first_name).or_else(|| present(&self.name).and_then(first_word))
    }
}

impl TemplateContext {
    /// The value of `var`, or `None` when the context lacks it.
    pub fn value(&self, var: Variable) -> Option<String> {
        match var {
            Variable::ContactFirstName => self.contact.first_name().map(str::to_string),
            Variable::ContactName => present(&self.contact.name).map(str::to_string),
            Variable::AgentName => present(&self.agent.name).map(str::to_string),
            Variable::AgentFirstName => self.agent.first_name().map(str::to_string),
            Variable::CaseId => self.case_id.map(|id| id.to_string()),
            Variable::BrandName => present(&self.brand_name).map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Var(Variable),
}

/// A parsed saved reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// 1-based line and column (in characters) of byte offset `at`.
fn position(src: &str, at: usize) -> (usize, usize) {
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[line_start..].chars().count() + 1)
}

impl Template {
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = 0;
        while let Some(open) = src[rest..].find("{{").map(|n| rest + n) {
            if open > rest {
                parts.push(Part::Text(src[rest..open].to_string()));
            }
            let (line, column) = position(src, open);
            let Some(close) = src[open + 2..].find("}}").map(|n| open + 2 + n) else {
                return Err(TemplateError::Unclosed { line, column });
            };
            let name = src[open + 2..close].trim();
            if name.is_empty() {
                return Err(TemplateError::Empty { line, column });
            }
            // A `{{` inside the braces means the first one was never closed.
            if name.contains("{{") || name.contains('\n') {
                return Err(TemplateError::Unclosed { line, column });
            }
            let var = Variable::from_name(name).ok_or_else(|| TemplateError::UnknownVariable {
                name: name.to_string(),
                line,
                column,
            })?;
            parts.push(Part::Var(var));
            rest = close + 2;
        }
        if rest < src.len() {
            parts.push(Part::Text(src[rest..].to_string()));
        }
        Ok(Template { parts })
    }

    /// The variables the template uses, in order of appearance.
    pub fn variables(&self) -> impl Iterator<Item = Variable> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(*v),
            Part::Text(_) => None,
        })
    }

    pub fn render(&self, ctx: &TemplateContext) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(v) => match ctx.value(*v) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(v.fallback()),
                },
            }
        }
        out
    }
}

/// Parses and renders in one step.
pub fn render(src: &str, ctx: &TemplateContext) -> Result<String, TemplateError> {
    Ok(Template::parse(src)?.render(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: Option<&str>, first: Option<&str>) -> PersonVars {
        PersonVars {
            name: name.map(Into::into),
            first_name: first.map(Into::into),
        }
    }

    fn full() -> TemplateContext {
        TemplateContext {
            contact: person(Some("Ada Lovelace"), None),
            agent: person(Some("Grace Hopper"), Some("Grace")),
            case_id: Some(CaseId(4711)),
            brand_name: Some("Rapport Coffee".into()),
        }
    }

    #[test]
    fn renders_every_variable_and_its_fallback() {
        let src = "Hi {{contact.first_name}} ({{ contact.name }}), {{agent.first_name}} / {{agent.name}} \
                   of {{brand.name}} here about case {{case.id}}.";
        let t = Template::parse(src).unwrap();
        assert_eq!(t.variables().count(), 6);
        assert_eq!(
            t.render(&full()),
            "Hi Ada (Ada Lovelace), Grace / Grace Hopper of Rapport Coffee here about case 4711."
        );
        assert_eq!(
            t.render(&TemplateContext::default()),
            "Hi there (there), the team / the team of us here about case your case."
        );
    }

    #[test]
    fn first_names_come_only_from_plain_words() {
        let table: &[(PersonVars, &str)] = &[
            (person(Some("Ada Lovelace"), None), "Ada"),
            (person(Some("Ada"), None), "Ada"),
            (person(Some("Jean-Luc Picard"), None), "Jean-Luc"),
            (person(Some("Ada Lovelace"), Some("Countess")), "Countess"),
            (person(Some("115712"), None), "there"),
            (person(Some("alice.bsky.social"), None), "there"),
            (person(Some("@alice"), None), "there"),
            (person(Some("   "), Some(" ")), "there"),
            (person(None, None), "there"),
        ];
        for (contact, expected) in table {
            let ctx = TemplateContext {
                contact: contact.clone(),
                ..TemplateContext::default()
            };
            assert_eq!(
                render("{{contact.first_name}}", &ctx).unwrap(),
                *expected,
                "{contact:?}"
            );
        }
    }

    #[test]
    fn errors_name_the_variable_and_where_it_is() {
        let table: &[(&str, &str)] = &[
            (
                "Hello\n  {{contact.email}}",
                "unknown variable 'contact.email' at line 2, column 3 (expected contact.first_name, \
                 contact.name, agent.name, agent.first_name, case.id or brand.name)",
            ),
            (
                "Thanks {{agent.name}",
                "'{{' at line 1, column 8 is not closed with '}}'",
            ),
            ("a {{ }} b", "empty variable '{{}}' at line 1, column 3"),
            (
                "{{agent.name {{case.id}}",
                "'{{' at line 1, column 1 is not closed with '}}'",
            ),
            (
                "é {{Agent.Name}}",
                "unknown variable 'Agent.Name' at line 1, column 3 (expected contact.first_name, contact.name, agent.name, agent.first_name, case.id or brand.name)",
            ),
        ];
        for (src, message) in table {
            assert_eq!(
                Template::parse(src).unwrap_err().to_string(),
                *message,
                "{src}"
            );
        }
        assert!(matches!(
            Template::parse("x {{nope}}"),
            Err(TemplateError::UnknownVariable { ref name, line: 1, column: 3 }) if name == "nope"
        ));
    }

    #[test]
    fn text_without_variables_passes_through() {
        let src = "No variables here } { } {";
        assert_eq!(render(src, &full()).unwrap(), src);
        assert_eq!(render("", &full()).unwrap(), "");
    }
}
