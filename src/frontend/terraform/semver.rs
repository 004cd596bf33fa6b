//! Terraform module version constraints (`"0.4.3"`, `"~> 0.4"`, `">= 1.2, < 2.0"`), enough to
//! tell whether the version `terraform init` installed satisfies the call's constraint.

/// A version as numbers (`1.2.3` → `[1, 2, 3]`); a pre-release suffix is ignored.
fn parse(v: &str) -> Option<Vec<u64>> {
    let core = v.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next()?;
    core.split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<Vec<_>>>()
        .filter(|v| !v.is_empty() && v.len() <= 3)
}

fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            a.get(i)
                .copied()
                .unwrap_or(0)
                .cmp(&b.get(i).copied().unwrap_or(0))
        })
        .find(|o| o.is_ne())
        .unwrap_or(std::cmp::Ordering::Equal)
}

/// Whether `version` satisfies `constraint`; `None` when either cannot be read.
pub fn satisfies(version: &str, constraint: &str) -> Option<bool> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let v = parse(version)?;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, rest) = ["~>", ">=", "<=", "!=", "=", ">", "<"]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|r| (*op, r)))
            .unwrap_or(("=", part));
        let c = parse(rest)?;
        let o = cmp(&v, &c);
        let ok = match op {
            "=" => o == Equal,
            "!=" => o != Equal,
            ">" => o == Greater,
            ">=" => o != Less,
            "<" => o == Less,
            "<=" => o != Greater,
            _ => {
                // `~> X.Y` allows X.Y up to X+1 (exclusive); `~> X.Y.Z` up to X.(Y+1).
                let mut upper = c.clone();
                if upper.len() > 1 {
                    upper.pop();
                }
                if let Some(last) = upper.last_mut() {
                    *last += 1;
                }
                o != Less && cmp(&v, &upper) == Less
            }
        };
        if !ok {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
mod tests {
    use super::satisfies;

    #[test]
    fn constraints() {
        assert_eq!(satisfies("0.4.3", "0.4.3"), Some(true));
        assert_eq!(satisfies("0.4.3", "0.5.3"), Some(false));
        assert_eq!(satisfies("0.4.3", "~> 0.4"), Some(true));
        assert_eq!(satisfies("0.5.0", "~> 0.4.1"), Some(false));
        assert_eq!(satisfies("0.4.9", "~> 0.4.1"), Some(true));
        assert_eq!(satisfies("1.2.0", ">= 1.0, < 2.0"), Some(true));
        assert_eq!(satisfies("2.0.0", ">= 1.0, < 2.0"), Some(false));
        assert_eq!(satisfies("1.0.0", "!= 1.0.0"), Some(false));
        assert_eq!(satisfies("x", "1.0"), None);
    }
}
