//! A scripted attacker against the sample modules' quizzes, to measure what guessing a pass
//! costs now: it sees what the module's review policy shows after a failure (the score and the
//! sections to re-read under the default `score`; per-question marks under `questions`),
//! recognises questions and choices by their text (so shuffling alone does not stop it),
//! remembers everything it learnt across attempts and deduces from it. The attempts and the
//! waits it needs are printed (`cargo test --test it quiz_attack -- --nocapture`) and bounded
//! below, so a change that makes guessing cheaper again fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use selfserve::grade;
use selfserve::model::{AttemptLimits, Kind, Module, Review};
use selfserve::quiz::delay;
use selfserve::quiz::{pool, review};

type Answer = BTreeSet<String>;

/// What the attacker knows about one question (by its prompt).
struct Belief {
    /// Answers not ruled out yet, in the order it will try them.
    candidates: Vec<Answer>,
    /// The right answer, once deduced.
    known: Option<Answer>,
    section: Option<String>,
}

/// One graded attempt as the attacker saw it.
struct Seen {
    items: Vec<(String, Answer)>,
    right: usize,
    /// Sections holding a wrong answer (`score` policy); `None` when not shown.
    wrong_sections: Option<BTreeSet<String>>,
    /// Per item right or wrong (`questions` policy and the old behaviour).
    marks: Option<Vec<bool>>,
}

#[derive(PartialEq)]
enum Status {
    Right,
    Wrong,
    Unknown,
}

fn status(b: &Belief, answer: &Answer) -> Status {
    match &b.known {
        Some(k) if k == answer => Status::Right,
        Some(_) => Status::Wrong,
        None if !b.candidates.contains(answer) => Status::Wrong,
        None => Status::Unknown,
    }
}

fn mark(b: &mut Belief, answer: &Answer, right: bool) -> bool {
    if status(b, answer) != Status::Unknown {
        return false;
    }
    if right {
        b.known = Some(answer.clone());
        b.candidates = vec![answer.clone()];
    } else {
        b.candidates.retain(|c| c != answer);
        if let [only] = b.candidates.as_slice() {
            b.known = Some(only.clone());
        }
    }
    true
}

/// Draws every conclusion the observations allow, until nothing changes.
fn deduce(beliefs: &mut BTreeMap<String, Belief>, seen: &[Seen]) {
    let mut changed = true;
    while changed {
        changed = false;
        for s in seen {
            if let Some(marks) = &s.marks {
                for ((q, a), right) in s.items.iter().zip(marks) {
                    changed |= beliefs.get_mut(q).is_some_and(|b| mark(b, a, *right));
                }
                continue;
            }
            let statuses: Vec<Status> = s
                .items
                .iter()
                .map(|(q, a)| status(&beliefs[q], a))
                .collect();
            let known_right = statuses.iter().filter(|x| **x == Status::Right).count();
            let unknown: Vec<usize> = (0..s.items.len())
                .filter(|i| statuses[*i] == Status::Unknown)
                .collect();
            let unknown_right = s.right.saturating_sub(known_right);
            if !unknown.is_empty() && (unknown_right == 0 || unknown_right == unknown.len()) {
                for &i in &unknown {
                    let (q, a) = &s.items[i];
                    changed |= beliefs
                        .get_mut(q)
                        .is_some_and(|b| mark(b, a, unknown_right > 0));
                }
                continue;
            }
            if let Some(wrong) = &s.wrong_sections {
                let item_sections: Vec<Option<String>> = s
                    .items
                    .iter()
                    .map(|(q, _)| beliefs[q].section.clone())
                    .collect();
                let sections: BTreeSet<String> = item_sections.iter().flatten().cloned().collect();
                for sec in &sections {
                    let members: Vec<usize> = (0..s.items.len())
                        .filter(|&i| item_sections[i].as_ref() == Some(sec))
                        .collect();
                    // The server names only sections asked at least twice (see
                    // `review::sections_to_reread`); the others say nothing.
                    if members.len() < 2 {
                        continue;
                    }
                    if !wrong.contains(sec) {
                        for i in members {
                            let (q, a) = &s.items[i];
                            changed |= beliefs.get_mut(q).is_some_and(|b| mark(b, a, true));
                        }
                    } else {
                        let open: Vec<usize> = members
                            .iter()
                            .copied()
                            .filter(|&i| {
                                status(&beliefs[&s.items[i].0], &s.items[i].1) != Status::Right
                            })
                            .collect();
                        if let [only] = open.as_slice() {
                            let (q, a) = &s.items[*only];
                            changed |= beliefs.get_mut(q).is_some_and(|b| mark(b, a, false));
                        }
                    }
                }
            }
        }
    }
}

/// Every answer a question may have: one choice, or any non-empty set of choices.
fn answers_of(choices: &[String], multiple: bool) -> Vec<Answer> {
    if !multiple {
        return choices
            .iter()
            .map(|c| BTreeSet::from([c.clone()]))
            .collect();
    }
    (1u32..(1 << choices.len()))
        .map(|bits| {
            choices
                .iter()
                .enumerate()
                .filter(|(i, _)| bits >> i & 1 == 1)
                .map(|(_, c)| c.clone())
                .collect()
        })
        .collect()
}

/// Attempts until a pass, for one run of the attacker.
fn attack(module: &Module, review: Review, rng: &mut StdRng) -> usize {
    attack_seeing(module, review, true, rng)
}

/// [`attack`], optionally without the sections to re-read (to measure what they reveal).
fn attack_seeing(module: &Module, review: Review, sections: bool, rng: &mut StdRng) -> usize {
    let mut beliefs: BTreeMap<String, Belief> = module
        .questions
        .iter()
        .map(|q| {
            let mut candidates = answers_of(&q.choices, q.multiple);
            candidates.shuffle(rng);
            let belief = Belief {
                candidates,
                known: None,
                section: q.section.clone(),
            };
            (q.prompt.clone(), belief)
        })
        .collect();
    let mut seen = Vec::new();
    for attempt in 1..=20_000 {
        let drawn = pool::draw(module, rng);
        let shown = pool::presented(module, &drawn).expect("fresh draw");
        let items: Vec<(String, Answer)> = shown
            .iter()
            .map(|q| {
                let b = &beliefs[&q.prompt];
                // A fresh random candidate each time: repeating the same pair of guesses on
                // two undecided questions could leave "one of them is right" forever.
                let pick = b
                    .known
                    .clone()
                    .unwrap_or_else(|| b.candidates.choose(&mut *rng).cloned().unwrap_or_default());
                (q.prompt.clone(), pick)
            })
            .collect();
        let positions: Vec<Vec<i64>> = shown
            .iter()
            .zip(&items)
            .map(|(q, (_, a))| {
                q.choices
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| a.contains(*c))
                    .map(|(i, _)| i64::try_from(i).expect("small"))
                    .collect()
            })
            .collect();
        let answers = grade::check_answers_to(&shown, &positions).expect("valid");
        let graded = grade::grade_against(&shown, module.pass_percent, &answers);
        if graded.passed {
            return attempt;
        }
        let right = graded.correct.iter().filter(|c| **c).count();
        let wrong_sections = Some(review::sections_to_reread(&shown, &graded.correct, review));
        seen.push(Seen {
            items,
            right,
            wrong_sections: (review == Review::Score && sections)
                .then_some(wrong_sections)
                .flatten(),
            marks: (review != Review::Score).then(|| graded.correct.clone()),
        });
        deduce(&mut beliefs, &seen);
        // Observations with nothing left to decide teach nothing more.
        seen.retain(|s| {
            s.items
                .iter()
                .any(|(q, a)| status(&beliefs[q], a) == Status::Unknown)
        });
    }
    usize::MAX
}

/// Seconds of waiting before attempt `attempts` when all earlier ones failed.
fn waited(limits: &AttemptLimits, attempts: usize) -> u64 {
    (1..attempts).map(|f| delay::delay_after(limits, f)).sum()
}

fn hours(secs: u64) -> String {
    format!("{:.1} h", secs as f64 / 3600.0)
}

#[test]
fn guessing_a_sample_quiz_takes_many_attempts_and_days_of_waiting() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let (site, _) = selfserve::loader::load_site(&content).expect("sample content loads");
    let mut rng = StdRng::seed_from_u64(13);
    let runs = 200;
    println!(
        "module | questions (drawn) | policy | before: attempts mean/worst | now: attempts mean/worst | wait mean / worst | score without sections: attempts mean/worst, wait mean / worst"
    );
    let mut checked = 0;
    for doc in site.of_kind(Kind::Module) {
        let Some(module) = doc.module().filter(|m| !m.questions.is_empty()) else {
            continue;
        };
        // What the old server revealed: per-question marks, every question, no waits.
        let mut old = module.clone();
        old.settings = Default::default();
        let before: Vec<usize> = (0..runs)
            .map(|_| attack(&old, Review::Questions, &mut rng))
            .collect();
        let now: Vec<usize> = (0..runs)
            .map(|_| attack(module, module.settings.review, &mut rng))
            .collect();
        let blind: Vec<usize> = (0..runs)
            .map(|_| attack_seeing(module, Review::Score, false, &mut rng))
            .collect();
        let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len() as f64;
        let worst = |v: &[usize]| v.iter().copied().max().unwrap_or(0);
        let limits = module.settings.limits;
        let mean_wait = now.iter().map(|&a| waited(&limits, a)).sum::<u64>() / runs as u64;
        let blind_wait = blind.iter().map(|&a| waited(&limits, a)).sum::<u64>() / runs as u64;
        println!(
            "{} | {} ({}) | {} | {:.1} / {} | {:.1} / {} | {} / {} | {:.1} / {}, {} / {}",
            doc.id,
            module.questions.len(),
            module.settings.draw.unwrap_or(module.questions.len()),
            module.settings.review.as_str(),
            mean(&before),
            worst(&before),
            mean(&now),
            worst(&now),
            hours(mean_wait),
            hours(waited(&limits, worst(&now))),
            mean(&blind),
            worst(&blind),
            hours(blind_wait),
            hours(waited(&limits, worst(&blind))),
        );
        assert!(
            mean(&now) >= mean(&before),
            "{}: guessing must not be cheaper than when every failure showed its marks",
            doc.id
        );
        assert!(
            waited(&limits, worst(&now)) >= 3600,
            "{}: the unluckiest script waits at least an hour",
            doc.id
        );
        checked += 1;
    }
    assert!(checked >= 5, "the sample modules with quizzes were found");
}
