//! Changes the server makes to its objects, published on a channel so other
//! parts of the server (webhook delivery) can react to them without the
//! handlers knowing who listens.

use tokio::sync::broadcast;

/// How many changes wait for a slow listener before the oldest are dropped.
const BACKLOG: usize = 1024;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Created,
    Updated,
    Deleted,
}

/// One change: the object's type as DevRev names it in event types (`work`,
/// `account`, `rev_org`, `tag`, ...), the object after the change (for a
/// delete, as it was), and for an update the object before it.
#[derive(Debug, Clone)]
pub(crate) struct ObjectChange {
    pub(crate) change: Change,
    pub(crate) object_type: String,
    pub(crate) object: serde_json::Value,
    pub(crate) old: Option<serde_json::Value>,
}

/// The channel of [`ObjectChange`]s; publishing with no listener is free.
#[derive(Debug)]
pub(crate) struct Events {
    tx: broadcast::Sender<ObjectChange>,
}

impl Default for Events {
    fn default() -> Self {
        Events { tx: broadcast::channel(BACKLOG).0 }
    }
}

impl Events {
    /// Publishes a change to every current listener.
    pub(crate) fn publish(&self, change: ObjectChange) {
        // An error only means nobody listens.
        let _ = self.tx.send(change);
    }

    /// A listener for the changes published from now on.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<ObjectChange> {
        self.tx.subscribe()
    }
}
