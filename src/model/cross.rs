//! What the rules of one unit learn from outside that unit.
//!
//! References never cross units ([`super::UnitId`]): a resource key names a resource of its
//! own unit, so a lookup by key gives the same answer in the unit's model as in the model of
//! the whole scan. A few questions are answered from every unit of the scan instead:
//!
//! * [`Model::site_by_host`]: the first site of the scan with a default or custom host name;
//! * whether every private endpoint's target is Known ([`super::query_network::private_endpoints_of`]);
//! * whether every App Service private-link DNS zone's name and links are Known
//!   ([`super::query_network::privatelink_zone_linked`]);
//! * the first App Service private-link DNS zone of the scan
//!   ([`Model::first_privatelink_zone`]), which a finding may name.
//!
//! [`crate::lint`] runs the rules unit by unit, so that a unit's model can be dropped once its
//! rules ran. Each run records which of these questions it asked ([`Record`]); once every unit
//! is loaded, the answers of the whole scan ([`ScanFacts`]) say whether the unit's own answers
//! were the same ([`ScanFacts::missing`]). When they were not, the unit is run again in a model
//! with the units that hold the scan's answers.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Model;

/// The cross-unit questions one rule run asked (see the module docs). Shared by the rules,
/// which may run on several threads.
#[derive(Debug, Default)]
pub struct Record {
    hosts: Mutex<BTreeSet<String>>,
    endpoints: AtomicBool,
    privatelink: AtomicBool,
    zones: AtomicBool,
}

/// What a [`Record`] holds once the run is over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asked {
    /// Host names looked up (lower-case, without a trailing dot).
    pub hosts: BTreeSet<String>,
    /// Whether the completeness of the private endpoints of a site was asked.
    pub endpoints: bool,
    /// Whether a private-link zone link was asked.
    pub privatelink: bool,
    /// Whether the first private-link zone of the scan was asked.
    pub zones: bool,
}

/// The scan-wide flags as a unit's rules assume them from the units outside it: "some
/// other unit has an Unknown private-endpoint target" (or private-link zone link). A unit's
/// run answers with its own flag or this one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Elsewhere {
    /// A private endpoint of another unit has Unknown connections or an Unknown target.
    pub endpoints_unknown: bool,
    /// A private-link zone of another unit has an Unknown name, links or link VNet.
    pub privatelink_unknown: bool,
}

impl Record {
    pub(crate) fn host(&self, host: String) {
        let mut h = match self.hosts.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        h.insert(host);
    }

    pub(crate) fn endpoints(&self) {
        self.endpoints.store(true, Ordering::Relaxed);
    }

    pub(crate) fn privatelink(&self) {
        self.privatelink.store(true, Ordering::Relaxed);
    }

    pub(crate) fn zones(&self) {
        self.zones.store(true, Ordering::Relaxed);
    }

    /// The questions asked.
    pub fn asked(&self) -> Asked {
        let hosts = match self.hosts.lock() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        };
        Asked {
            hosts,
            endpoints: self.endpoints.load(Ordering::Relaxed),
            privatelink: self.privatelink.load(Ordering::Relaxed),
            zones: self.zones.load(Ordering::Relaxed),
        }
    }
}

/// One unit's answers to the cross-unit questions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitFacts {
    /// Its sites' host names, as [`Model::site_by_host`] indexes them.
    pub hosts: Vec<String>,
    /// A private endpoint that may exist has Unknown connections or an Unknown target.
    pub endpoints_unknown: bool,
    /// An App Service private-link zone's name, links or a link's VNet is Unknown.
    pub privatelink_unknown: bool,
    /// It has an App Service private-link zone ([`Model::first_privatelink_zone`]).
    pub zones: bool,
}

impl UnitFacts {
    /// The facts of a unit's model.
    pub fn of(model: &Model) -> Self {
        let mut hosts: Vec<String> = model
            .host_index()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        hosts.sort_unstable();
        let index = model.net_index();
        UnitFacts {
            hosts,
            endpoints_unknown: index.endpoints_unknown(),
            privatelink_unknown: index.privatelink_unknown(),
            zones: model.first_privatelink_zone_unrecorded().is_some(),
        }
    }
}

/// The answers of the whole scan: every kept unit's [`UnitFacts`], by position in merge order.
#[derive(Debug, Default)]
pub struct ScanFacts {
    /// Host name → the first unit (position) with a site of that name. Hashed with foldhash
    /// (seeded per process): built on the main thread from every site's host names.
    first_host: HashMap<String, usize, foldhash::fast::RandomState>,
    /// The units with an Unknown private-endpoint target, in order.
    endpoints_unknown: Vec<usize>,
    /// The units with an Unknown private-link zone name or link, in order.
    privatelink_unknown: Vec<usize>,
    /// The first unit with an App Service private-link zone.
    zones: Option<usize>,
}

impl ScanFacts {
    /// The answers of the units given in merge order.
    pub fn new<'a>(units: impl IntoIterator<Item = &'a UnitFacts>) -> Self {
        let mut s = ScanFacts::default();
        for (i, u) in units.into_iter().enumerate() {
            for h in &u.hosts {
                // Copied only when first seen.
                if !s.first_host.contains_key(h) {
                    s.first_host.insert(h.clone(), i);
                }
            }
            if u.endpoints_unknown {
                s.endpoints_unknown.push(i);
            }
            if u.privatelink_unknown {
                s.privatelink_unknown.push(i);
            }
            if u.zones && s.zones.is_none() {
                s.zones = Some(i);
            }
        }
        s
    }

    /// The flags of the whole scan, as [`Elsewhere`] for a run that must answer as the scan
    /// does (a unit's own flag adds nothing to them).
    pub fn elsewhere(&self) -> Elsewhere {
        Elsewhere {
            endpoints_unknown: !self.endpoints_unknown.is_empty(),
            privatelink_unknown: !self.privatelink_unknown.is_empty(),
        }
    }

    /// Whether a run of `group` (positions, in merge order) that assumed `assumed` of the
    /// other units answered the flag questions `asked` as the whole scan does.
    pub fn flags_agree(&self, group: &[usize], asked: &Asked, assumed: Elsewhere) -> bool {
        let has = |units: &[usize]| units.iter().any(|u| group.binary_search(u).is_ok());
        let scan = self.elsewhere();
        let ran = |own: &[usize], assumed: bool| has(own) || assumed;
        (!asked.endpoints
            || ran(&self.endpoints_unknown, assumed.endpoints_unknown) == scan.endpoints_unknown)
            && (!asked.privatelink
                || ran(&self.privatelink_unknown, assumed.privatelink_unknown)
                    == scan.privatelink_unknown)
    }

    /// The units (positions) missing from `group` (positions, in merge order) for a run of
    /// its rules in the group's model to get the answers of the whole scan to the lookups
    /// `asked` (the flags aside: [`ScanFacts::flags_agree`]); empty when the group's answers
    /// are the scan's.
    ///
    /// A group that holds the first unit with a host name answers as the scan does (the first
    /// such site of the group is that unit's), and so does a group without any unit with that
    /// name when the scan has none; the same holds for the first private-link zone.
    pub fn missing(&self, group: &[usize], asked: &Asked) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        let mut need = |u: usize| {
            if group.binary_search(&u).is_err() && !out.contains(&u) {
                out.push(u);
            }
        };
        for h in &asked.hosts {
            if let Some(&u) = self.first_host.get(h) {
                need(u);
            }
        }
        if let (true, Some(u)) = (asked.zones, self.zones) {
            need(u);
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(hosts: &[&str], endpoints: bool, zones: bool) -> UnitFacts {
        UnitFacts {
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            endpoints_unknown: endpoints,
            privatelink_unknown: false,
            zones,
        }
    }

    fn asked(hosts: &[&str], endpoints: bool, zones: bool) -> Asked {
        Asked {
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            endpoints,
            privatelink: false,
            zones,
        }
    }

    #[test]
    fn a_group_needs_the_first_unit_of_each_host_it_asked_and_the_units_behind_the_flags() {
        let units = [
            facts(&["a.net"], false, false),
            facts(&["b.net", "a.net"], true, true),
            facts(&["c.net"], true, false),
            facts(&[], false, true),
        ];
        let scan = ScanFacts::new(&units);
        // Its own host, first in the scan: nothing missing.
        assert!(
            scan.missing(&[0], &asked(&["a.net"], false, false))
                .is_empty()
        );
        // A host that a later unit has first... and one that an earlier unit has first.
        assert_eq!(
            scan.missing(&[2], &asked(&["b.net"], false, false)),
            vec![1]
        );
        assert_eq!(
            scan.missing(&[1], &asked(&["a.net"], false, false)),
            vec![0]
        );
        // A host no unit has: the unit's own answer (none) is the scan's.
        assert!(
            scan.missing(&[3], &asked(&["x.net"], false, false))
                .is_empty()
        );
        // The endpoint flag is not a unit to add: it is assumed.
        assert!(scan.missing(&[0], &asked(&[], true, false)).is_empty());
        let none = Elsewhere::default();
        let set = Elsewhere {
            endpoints_unknown: true,
            privatelink_unknown: false,
        };
        assert!(!scan.flags_agree(&[0], &asked(&[], true, false), none));
        assert!(scan.flags_agree(&[0], &asked(&[], true, false), set));
        assert!(scan.flags_agree(&[2], &asked(&[], true, false), none));
        assert!(scan.flags_agree(&[0], &asked(&[], false, false), none));
        assert_eq!(scan.elsewhere(), set);
        // Assumed, but no kept unit has it (the unit that had it was dropped).
        let clean = ScanFacts::new(&units[..1]);
        assert!(!clean.flags_agree(&[0], &asked(&[], true, false), set));
        // The first private-link zone: the first unit with one.
        assert_eq!(scan.missing(&[0], &asked(&[], false, true)), vec![1]);
        assert!(scan.missing(&[1, 2], &asked(&[], false, true)).is_empty());
    }
}
