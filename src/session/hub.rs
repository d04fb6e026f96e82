//! The logger's audience: every line the run writes to `metrics.jsonl`
//! (and every live-only event) goes to each subscriber's bounded queue.
//!
//! Subscribing happens on the logger thread, between two records: it
//! flushes the log, hands the subscriber the byte offset up to which the
//! history is on disk, and from then on queues every new line. A reader of
//! the file up to that offset plus the queue therefore sees every record
//! once, with no gap and no duplicate at the seam.
//!
//! Queues are bounded and filled with `try_send`: a subscriber that falls
//! behind (a stopped terminal, a dead link) is dropped with a notice and
//! never slows the logger, let alone the trainer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};

/// Lines a subscriber may fall behind before it is dropped: minutes of a
/// run's records at its usual rate of a few lines per second.
pub const DEFAULT_QUEUE: usize = 4096;

/// A subscription as the logger hands it out.
pub struct Subscription {
    pub id: u64,
    /// Byte offset in `metrics.jsonl` up to which the history is on disk.
    pub offset: u64,
    pub lines: Receiver<Arc<str>>,
    /// Set when the subscriber was dropped for falling behind; its queue
    /// then holds lines it will never be sent.
    pub dropped: Arc<AtomicBool>,
}

/// What a transport asks the logger for.
pub struct SubscribeRequest {
    pub queue: usize,
    pub reply: Sender<Subscription>,
}

/// Counters for the cost of the audience, read by `Stats` requests and
/// the benchmarks.
#[derive(Debug, Default)]
pub struct HubStats {
    pub subscribed: AtomicU64,
    pub dropped: AtomicU64,
    /// Lines queued, over all subscribers.
    pub queued: AtomicU64,
    pub queued_bytes: AtomicU64,
    /// Time the logger spent handing lines to queues.
    pub send_ns: AtomicU64,
}

struct Subscriber {
    id: u64,
    tx: Sender<Arc<str>>,
    dropped: Arc<AtomicBool>,
}

pub struct Hub {
    subscribers: Vec<Subscriber>,
    next_id: u64,
    pub stats: Arc<HubStats>,
}

impl Hub {
    pub fn new(stats: Arc<HubStats>) -> Self {
        Self {
            subscribers: Vec::new(),
            next_id: 1,
            stats,
        }
    }

    /// Registers a subscriber whose history ends at `offset`.
    pub fn subscribe(&mut self, offset: u64, queue: usize) -> Subscription {
        let (tx, lines) = bounded(queue.max(1));
        let dropped = Arc::new(AtomicBool::new(false));
        let id = self.next_id;
        self.next_id += 1;
        self.subscribers.push(Subscriber {
            id,
            tx,
            dropped: Arc::clone(&dropped),
        });
        self.stats.subscribed.fetch_add(1, Ordering::Relaxed);
        Subscription {
            id,
            offset,
            lines,
            dropped,
        }
    }

    /// Queues `line` for everyone; returns a notice for each subscriber
    /// dropped because its queue was full.
    pub fn send(&mut self, line: &Arc<str>) -> Vec<String> {
        if self.subscribers.is_empty() {
            return Vec::new();
        }
        let started = Instant::now();
        let mut notices = Vec::new();
        self.subscribers
            .retain(|s| match s.tx.try_send(Arc::clone(line)) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    s.dropped.store(true, Ordering::SeqCst);
                    notices.push(format!(
                        "dropped client {}: it fell {} lines behind",
                        s.id,
                        s.tx.len()
                    ));
                    false
                }
                // The transport let go of its end: the client left.
                Err(TrySendError::Disconnected(_)) => false,
            });
        let n = self.subscribers.len() as u64;
        self.stats.queued.fetch_add(n, Ordering::Relaxed);
        self.stats
            .queued_bytes
            .fetch_add(n * (line.len() as u64 + 1), Ordering::Relaxed);
        self.stats
            .dropped
            .fetch_add(notices.len() as u64, Ordering::Relaxed);
        self.stats
            .send_ns
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        notices
    }

    pub fn len(&self) -> usize {
        self.subscribers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subscribers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_only_its_subscriber() {
        let mut hub = Hub::new(Arc::default());
        let slow = hub.subscribe(10, 2);
        let fast = hub.subscribe(10, 100);
        for i in 0..3 {
            let line: Arc<str> = Arc::from(format!("line {i}"));
            let notices = hub.send(&line);
            assert_eq!(notices.len(), usize::from(i == 2), "{notices:?}");
            assert_eq!(fast.lines.recv().unwrap().as_ref(), format!("line {i}"));
        }
        assert!(slow.dropped.load(Ordering::SeqCst));
        assert!(!fast.dropped.load(Ordering::SeqCst));
        assert_eq!(hub.len(), 1);
        assert_eq!(hub.stats.dropped.load(Ordering::Relaxed), 1);
        drop(fast);
        hub.send(&Arc::from("gone"));
        assert!(hub.is_empty(), "a disconnected subscriber is forgotten");
    }
}
