//! Unary and binary operators. `&&`/`||` short-circuit on a Known left side in the caller;
//! here a Known `false && unknown` is still false (and `true || unknown` true), as in cty.

use hcl::edit::expr::{BinaryOperator, UnaryOperator};

use super::{EvalErr, R};
use crate::frontend::terraform::value::TVal;

pub(super) fn unary(op: UnaryOperator, v: TVal) -> R {
    if v.is_unknown() {
        return Ok(TVal::unknown());
    }
    match op {
        UnaryOperator::Neg => v
            .as_f64()
            .map(|n| TVal::Number(-n))
            .ok_or_else(|| EvalErr::new(format!("cannot negate a {}", v.type_name()))),
        UnaryOperator::Not => v
            .as_bool()
            .map(|b| TVal::Bool(!b))
            .ok_or_else(|| EvalErr::new(format!("cannot apply ! to a {}", v.type_name()))),
    }
}

pub(super) fn binary(op: BinaryOperator, a: TVal, b: TVal) -> R {
    use BinaryOperator as B;
    match op {
        B::Eq | B::NotEq => Ok(match a.equals(&b) {
            Some(eq) => TVal::Bool(eq == (op == B::Eq)),
            None => TVal::unknown(),
        }),
        B::And | B::Or => {
            let want = op == B::Or; // the value that decides the result on its own
            let (x, y) = (bool_operand(&a)?, bool_operand(&b)?);
            if x == Some(want) || y == Some(want) {
                return Ok(TVal::Bool(want));
            }
            match (x, y) {
                (Some(_), Some(_)) => Ok(TVal::Bool(!want)),
                _ => Ok(TVal::unknown()),
            }
        }
        _ => {
            let (Some(x), Some(y)) = (num_operand(&a)?, num_operand(&b)?) else {
                return Ok(TVal::unknown());
            };
            let n = match op {
                B::Plus => x + y,
                B::Minus => x - y,
                B::Mul => x * y,
                B::Div => {
                    if y == 0.0 {
                        return Err(EvalErr::new("division by zero"));
                    }
                    x / y
                }
                B::Mod => {
                    if y == 0.0 {
                        return Err(EvalErr::new("modulo by zero"));
                    }
                    x % y
                }
                B::Less => return Ok(TVal::Bool(x < y)),
                B::LessEq => return Ok(TVal::Bool(x <= y)),
                B::Greater => return Ok(TVal::Bool(x > y)),
                B::GreaterEq => return Ok(TVal::Bool(x >= y)),
                B::Eq | B::NotEq | B::And | B::Or => return Ok(TVal::unknown()),
            };
            if n.is_finite() {
                Ok(TVal::Number(n))
            } else {
                Err(EvalErr::new("number out of range"))
            }
        }
    }
}

/// `Ok(None)` for Unknown, an error for a value that is not a bool.
fn bool_operand(v: &TVal) -> Result<Option<bool>, EvalErr> {
    if v.is_unknown() {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| EvalErr::new(format!("a {} is not a bool", v.type_name())))
}

/// `Ok(None)` for Unknown, an error for a value that is not a number.
fn num_operand(v: &TVal) -> Result<Option<f64>, EvalErr> {
    if v.is_unknown() {
        return Ok(None);
    }
    v.as_f64()
        .map(Some)
        .ok_or_else(|| EvalErr::new(format!("a {} is not a number", v.type_name())))
}
