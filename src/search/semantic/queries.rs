//! The threads that embed search queries, and how many queries may wait for them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};

use super::SemanticError;

/// Word pieces of a query the model reads: a pasted log line of 200 characters is ~90
/// pieces (digits and punctuation split finely) and cost 32 ms; its meaning is in the start.
pub const MAX_QUERY_TOKENS: usize = 48;

/// New queries allowed to wait per query thread (~10 ms each): beyond this a search does
/// not wait ~40 ms for its vector and answers lexically.
const QUEUED_PER_THREAD: usize = 4;

/// What one embedding gives: `None` when the model is gone (the leg was dropped).
type Embedded = Option<Result<Vec<f32>, SemanticError>>;

/// A query's text and where its vector goes.
type QueryJob = (String, mpsc::SyncSender<Embedded>);

/// The threads that embed queries, one per core. Requests run on many threads (the
/// blocking pool has dozens), and each thread that runs the model keeps some of the memory
/// it used: under 32 concurrent searches of new queries the server grew from 244 to 555 MB.
/// Handing queries to these few threads bounds that, and bounds how much CPU queries take
/// at once. They end when this is dropped (the channel closes).
pub struct QueryThreads {
    jobs: Mutex<mpsc::Sender<QueryJob>>,
    /// Queries sent and not yet answered.
    waiting: AtomicUsize,
    /// Most queries allowed to wait; a search beyond that answers by words alone.
    max_waiting: usize,
}

impl QueryThreads {
    /// One thread per core, each running `embed` on the queries it is handed.
    pub fn start(embed: impl Fn(&str) -> Embedded + Clone + Send + 'static) -> Self {
        let (sender, receiver) = mpsc::channel::<QueryJob>();
        let receiver = Arc::new(Mutex::new(receiver));
        let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let embed = embed.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("semantic-query-{n}"))
                .spawn(move || {
                    loop {
                        let job = receiver
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .recv();
                        let Ok((text, reply)) = job else {
                            return;
                        };
                        let _ = reply.send(embed(&text));
                    }
                });
            if let Err(error) = spawned {
                tracing::warn!(%error, "cannot start a query embedding thread");
            }
        }
        Self {
            jobs: Mutex::new(sender),
            waiting: AtomicUsize::new(0),
            max_waiting: threads * QUEUED_PER_THREAD,
        }
    }

    /// The vector of `text`, or `None` when no thread could take the job or too many
    /// queries are already waiting (a flood of new queries then gets lexical answers at
    /// once instead of queueing every searcher behind it).
    pub fn embed(&self, text: &str) -> Embedded {
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let sent = self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send((text.to_owned(), reply))
            .ok();
        let result = sent.and_then(|()| answer.recv().ok()).flatten();
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_answered_and_a_full_queue_answers_none_at_once() {
        let (release, gate) = mpsc::channel::<()>();
        let gate = Arc::new(Mutex::new(gate));
        let threads = QueryThreads::start(move |text: &str| {
            if text == "slow" {
                let _ = gate.lock().unwrap_or_else(PoisonError::into_inner).recv();
            }
            Some(Ok(vec![text.len() as f32]))
        });
        assert_eq!(threads.embed("abc").and_then(Result::ok), Some(vec![3.0]));
        // Fill every waiting place with queries held at the gate, then one more.
        let threads = Arc::new(threads);
        let held: Vec<_> = (0..threads.max_waiting)
            .map(|_| {
                let threads = Arc::clone(&threads);
                std::thread::spawn(move || threads.embed("slow"))
            })
            .collect();
        while threads.waiting.load(Ordering::Acquire) < threads.max_waiting {
            std::thread::yield_now();
        }
        assert!(
            threads.embed("one more").is_none(),
            "a full queue does not wait"
        );
        for _ in 0..threads.max_waiting {
            let _ = release.send(());
        }
        for h in held {
            assert!(h.join().expect("joins").is_some());
        }
    }
}
