//! The Terraform expression evaluator, over the hcl-edit AST (so spans survive).
//!
//! It never fails: anything it cannot decide is [`TVal::Unknown`], and Unknown propagates.
//! Internally evaluation returns `Result<TVal, EvalErr>` so that `try` and `can` see
//! evaluation errors (a missing key, a wrong type); at the top an error becomes Unknown.

use hcl::edit::expr::Expression;

use super::value::TVal;
use crate::model::Origin;

pub use super::value::tval_from_json;

/// What the evaluator may ask of its surroundings. `None` from any method means "not knowable"
/// and evaluates to Unknown.
pub trait Scope {
    /// `var.<name>`: the variable's value and where it came from (default, tfvars, module input).
    fn var(&self, name: &str) -> Option<(TVal, Option<Origin>)>;
    /// `local.<name>`: the local's value and its origin.
    fn local(&self, name: &str) -> Option<(TVal, Option<Origin>)>;
    /// `module.<module>.<output>`. For a module call with `count`/`for_each`, `module` is written
    /// with its index as in an address: `m[0]`, `m["k"]`.
    fn module_output(&self, module: &str, output: &str) -> Option<TVal>;
    /// A resource of the configuration (`azurerm_subnet.s`): typically a
    /// [`TVal::Runtime`] with an empty path, or a list (count) / map (for_each) of them.
    fn resource(&self, rtype: &str, name: &str) -> Option<TVal>;
    /// `data.<rtype>.<name>`: data sources are Unknown unless the scope says otherwise.
    fn data(&self, rtype: &str, name: &str) -> Option<TVal> {
        let _ = (rtype, name);
        None
    }
    /// A root name bound by the surroundings: `each` (a map with `key` and `value`), `count`
    /// (a map with `index`), a `dynamic` block iterator (`probe`: a map with `key` and `value`),
    /// or any other name a caller binds. For-expression variables are bound by the evaluator
    /// itself and shadow these.
    fn iterator(&self, name: &str) -> Option<TVal>;
    /// `path.<name>` (`path.module`, `path.root`, `path.cwd`).
    fn path_value(&self, name: &str) -> Option<TVal> {
        let _ = name;
        None
    }
}

/// The result of evaluating an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// The value (Unknown when not knowable).
    pub value: TVal,
    /// The origins of the variables and locals that contributed to the value, deduplicated,
    /// in the order first met.
    pub origins: Vec<Origin>,
}

/// Evaluates an expression. Never panics and never errors: whatever is unsupported or
/// erroneous is Unknown.
pub fn eval(expr: &Expression, scope: &dyn Scope) -> Evaluated {
    let _ = (expr, scope);
    Evaluated {
        value: TVal::unknown(),
        origins: Vec::new(),
    }
}

/// Parses one HCL expression (a `--var name=value` value). `None` when it does not parse; the
/// caller then takes the text as a plain string.
pub fn parse_expr(src: &str) -> Option<Expression> {
    hcl::edit::parser::parse_expr(src).ok()
}
