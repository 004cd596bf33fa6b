//! `resourceId()` and its siblings: resource ids built as text, with the unknown scope
//! (subscription, resource group) left Unknown so the known tail survives.

use std::borrow::Cow;

use super::funcs::unknown;
use super::text::{Piece, join_pieces, piece};
use crate::frontend::arm::ids::slash_parts;
use crate::frontend::arm::value::AVal;
use crate::model::Partial;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum IdKind {
    ResourceGroup,
    Subscription,
    Tenant,
    Extension,
    ManagementGroup,
}

/// `resourceId` and its siblings. The resource type is the first argument containing `/`;
/// the arguments before it are the scope (subscription, resource group...), Unknown when
/// omitted (they come from the deployment).
pub(super) fn resource_id(v: &[AVal], kind: IdKind) -> AVal {
    let max_scope = match kind {
        IdKind::ResourceGroup => 2,
        IdKind::Subscription | IdKind::ManagementGroup | IdKind::Extension => 1,
        IdKind::Tenant => 0,
    };
    let is_type = |x: &AVal| matches!(x, AVal::Str(s) if s.contains('/'));
    let t = if kind == IdKind::Extension {
        // The first argument is itself a resource id (and contains '/').
        match v.get(1) {
            Some(x) if is_type(x) => 1,
            _ => return unknown(),
        }
    } else {
        match v.iter().take(max_scope + 1).position(is_type) {
            Some(t) => t,
            None => return unknown(),
        }
    };
    let AVal::Str(rtype) = &v[t] else {
        return unknown();
    };
    let mut segs = slash_parts(rtype).filter(|s| !s.is_empty());
    let Some(namespace) = segs.next() else {
        return unknown();
    };
    let types: Vec<&str> = segs.collect();
    let names = &v[t + 1..];
    // Known names may hold several segments (`'vnet/subnet'`). Lists sized once: grown one
    // element at a time they were reallocated two or three times per call.
    let mut name_pieces: Vec<Piece<'_>> = Vec::with_capacity(types.len());
    for n in names {
        match n {
            AVal::Str(s) => {
                for part in slash_parts(s) {
                    name_pieces.push(Piece::Text(Cow::Borrowed(part)));
                }
            }
            other => match piece(other) {
                Some(p) => name_pieces.push(p),
                None => return unknown(),
            },
        }
    }
    if types.is_empty() || name_pieces.len() != types.len() {
        return unknown();
    }
    let unk = || Piece::Unk(Cow::Owned(Partial::default()));
    let scope_piece = |i: usize| -> Option<Piece<'_>> { piece(v.get(i)?) };
    // Scope (at most four pieces), provider and namespace, four pieces a type.
    let mut pieces: Vec<Piece<'_>> = Vec::with_capacity(6 + 4 * types.len());
    let text = |s: &'static str| Piece::Text(Cow::Borrowed(s));
    match kind {
        IdKind::ResourceGroup => {
            pieces.push(text("/subscriptions/"));
            pieces.push(if t >= 2 {
                match scope_piece(0) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
            pieces.push(text("/resourceGroups/"));
            pieces.push(if t >= 1 {
                match scope_piece(t - 1) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
        }
        IdKind::Subscription => {
            pieces.push(text("/subscriptions/"));
            pieces.push(if t == 1 {
                match scope_piece(0) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
        }
        IdKind::ManagementGroup => {
            pieces.push(text("/providers/Microsoft.Management/managementGroups/"));
            pieces.push(if t == 1 {
                match scope_piece(0) {
                    Some(p) => p,
                    None => return unknown(),
                }
            } else {
                unk()
            });
        }
        IdKind::Extension => match scope_piece(0) {
            Some(p) => pieces.push(p),
            None => return unknown(),
        },
        IdKind::Tenant => {}
    }
    pieces.push(text("/providers/"));
    pieces.push(Piece::Text(Cow::Borrowed(namespace)));
    for (ty, name) in types.into_iter().zip(name_pieces) {
        pieces.push(text("/"));
        pieces.push(Piece::Text(Cow::Borrowed(ty)));
        pieces.push(text("/"));
        pieces.push(name);
    }
    join_pieces(pieces)
}
