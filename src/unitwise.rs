//! The rules run unit by unit, as each unit is loaded, so that the scan never holds the model
//! of every unit at once (issue 17: a 6,000-file repository in a bounded amount of memory).
//!
//! A unit's rules see only its own model. Lookups by key give the answers of the whole scan
//! (references never cross units), and the few questions answered from every unit are recorded
//! ([`crate::model::cross`]). Once every unit is loaded, a unit whose answers differ from the
//! scan's (a backend host name that a site of another unit has, a private endpoint of another
//! unit with an Unknown target...) is run again in one model with the units that hold the
//! scan's answers, loaded again; the findings of that group replace those of its units. The
//! result is the same as running the rules once on the model of the whole scan.

use std::collections::{BTreeMap, HashMap};

use crate::LintOptions;
use crate::config;
use crate::finding::Finding;
use crate::model::cross::{Asked, Elsewhere, ScanFacts, UnitFacts};
use crate::model::{Model, UnitId};
use crate::rules::Skipped;
use crate::source::{FileId, SourceMap};

/// The rules' results for one unit, and what they asked of the rest of the scan.
#[derive(Debug, Default)]
pub struct Checked {
    /// The findings, in rule order.
    pub findings: Vec<Finding>,
    /// The skipped checks.
    pub skipped: Vec<Skipped>,
    /// The cross-unit questions asked.
    pub asked: Asked,
    /// The unit's own answers to them.
    pub facts: UnitFacts,
    /// The scan-wide flags the run assumed of the other units.
    pub assumed: Elsewhere,
}

/// Runs the rules on one unit's model (on this thread, the rules one after the other),
/// assuming `assumed` of the other units (the flags seen so far: a unit that assumed wrong is
/// run again once every unit is loaded).
pub fn check(
    model: &mut Model,
    opts: &LintOptions,
    assumed: Elsewhere,
    sources: &SourceMap,
) -> Checked {
    model.assume_elsewhere(assumed);
    let record = model.record_cross();
    let facts = UnitFacts::of(model);
    let (mut findings, mut skipped) = config::run_rules_in_turn(model, opts);
    share_help(&mut findings);
    crate::rules::skip::explain(&mut skipped, sources);
    // Kept to the end of the scan: without the room the rules' pushes left.
    findings.shrink_to_fit();
    skipped.shrink_to_fit();
    let asked = record.asked();
    model.stop_recording();
    Checked {
        findings,
        skipped,
        asked,
        facts,
        assumed,
    }
}

/// The help texts of the findings this thread's units produced, each held once
/// ([`Finding::share_help`]): a large scan's findings hold a few distinct texts of about 200
/// bytes. Shared here, on the thread that checked the unit, rather than on the main thread as
/// each unit is merged (which kept the other threads waiting). Hashed with foldhash (seeded
/// per process; SipHash was 0.3 % of a 6,000-file scan); emptied past [`MAX_HELP_TEXTS`].
type HelpTexts = std::collections::HashSet<std::sync::Arc<str>, foldhash::fast::RandomState>;

thread_local! {
    static HELP_TEXTS: std::cell::RefCell<HelpTexts> = std::cell::RefCell::new(HelpTexts::default());
}

/// The most help texts a thread keeps (most are written once per rule; some name a value).
const MAX_HELP_TEXTS: usize = 4096;

/// [`Finding::share_help`] for each of `findings`, with this thread's texts.
fn share_help(findings: &mut [Finding]) {
    HELP_TEXTS.with(|texts| {
        let Ok(mut texts) = texts.try_borrow_mut() else {
            return;
        };
        if texts.len() > MAX_HELP_TEXTS {
            texts.clear();
        }
        for f in findings {
            f.share_help(&mut texts);
        }
    });
}

/// How to get a unit's model again when its group must run.
#[derive(Debug)]
pub enum Again {
    /// An ARM or Bicep unit: its input (position in the caller's list of JSON inputs), its id,
    /// and the files its first load added (loaded again with the same ids).
    Load {
        /// Position of the input.
        input: usize,
        /// The unit's id.
        unit: UnitId,
        /// The files of the first load.
        files: Vec<FileId>,
    },
    /// A Terraform unit: its position among the Terraform units and the files its first load
    /// added (loaded again by the Terraform loader, with the same ids).
    Reload {
        /// Position among the Terraform units.
        root: usize,
        /// The files of the first load.
        files: Vec<FileId>,
    },
}

/// One unit kept in the scan, in merge order.
#[derive(Debug)]
pub struct Entry {
    /// Its results.
    pub checked: Checked,
    /// How to run it again.
    pub again: Again,
}

/// What [`finish`] did, for `--verbose`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Groups run again.
    pub groups: usize,
    /// Units in those groups.
    pub grouped: usize,
}

/// Appends the findings and skipped checks of the whole scan, from the units' results, to
/// `findings` and `skipped`: units whose answers were not the scan's are run again in groups
/// (`load` gives a unit's model again, with its files' ids replayed).
pub fn finish(
    entries: Vec<Entry>,
    opts: &LintOptions,
    load: &dyn Fn(&Again) -> Model,
    findings: &mut Vec<Finding>,
    skipped: &mut Vec<Skipped>,
) -> Stats {
    let scan = ScanFacts::new(entries.iter().map(|e| &e.checked.facts));
    // Union-find over entries: a unit and the units it needs share a group.
    let n = entries.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            let p = parent[i];
            parent[i] = parent[p];
            i = p;
        }
        i
    }
    let mut grouped = vec![false; n];
    for (i, e) in entries.iter().enumerate() {
        let missing = scan.missing(&[i], &e.checked.asked);
        if missing.is_empty() && scan.flags_agree(&[i], &e.checked.asked, e.checked.assumed) {
            continue;
        }
        grouped[i] = true;
        for m in missing {
            grouped[m] = true;
            let (a, b) = (root(&mut parent, i), root(&mut parent, m));
            parent[a.max(b)] = a.min(b);
        }
    }
    // Groups, each run until it needs no other unit: a group's model may ask more than its
    // units asked alone (a backend that now reaches a site of another unit asks about that
    // site's private endpoints). Results are kept by member list; a group that grew or merged
    // runs again.
    let mut done: HashMap<Vec<usize>, (Vec<Finding>, Vec<Skipped>)> = HashMap::new();
    let groups = loop {
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for i in (0..n).filter(|&i| grouped[i]) {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
        let mut stable = true;
        for members in groups.values() {
            if done.contains_key(members) {
                continue;
            }
            let mut model = Model::new();
            for &m in members {
                model.extend(load(&entries[m].again));
            }
            // The scan's flags: the group then answers them as the scan does.
            model.assume_elsewhere(scan.elsewhere());
            let record = model.record_cross();
            let (findings, skipped) = config::run_rules_in_turn(&model, opts);
            let missing = scan.missing(members, &record.asked());
            if missing.is_empty() {
                done.insert(members.clone(), (findings, skipped));
                continue;
            }
            stable = false;
            for m in missing {
                grouped[m] = true;
                let (a, b) = (root(&mut parent, members[0]), root(&mut parent, m));
                parent[a.max(b)] = a.min(b);
            }
        }
        if stable {
            break groups;
        }
    };
    let mut stats = Stats::default();
    // Each group's results at its first unit.
    let mut results: Vec<Option<(Vec<Finding>, Vec<Skipped>)>> = (0..n).map(|_| None).collect();
    for members in groups.into_values() {
        stats.groups += 1;
        stats.grouped += members.len();
        let r = done.remove(&members).unwrap_or_default();
        for &m in &members {
            results[m] = Some((Vec::new(), Vec::new()));
        }
        if let Some(&first) = members.first() {
            results[first] = Some(r);
        }
    }
    // The results are all that is left to gather, into lists sized once (grown by doubling,
    // the list of a large scan's findings left twice its size behind at the peak of the run).
    let checked: Vec<Checked> = entries.into_iter().map(|e| e.checked).collect();
    let (mut f_len, mut s_len) = (0, 0);
    for (r, c) in results.iter().zip(&checked) {
        let (f, s) = r
            .as_ref()
            .map_or((&c.findings, &c.skipped), |(f, s)| (f, s));
        f_len += f.len();
        s_len += s.len();
    }
    findings.reserve_exact(f_len);
    skipped.reserve_exact(s_len);
    for (r, c) in results.into_iter().zip(checked) {
        let (f, s) = r.unwrap_or((c.findings, c.skipped));
        findings.extend(f);
        skipped.extend(s);
    }
    stats
}
