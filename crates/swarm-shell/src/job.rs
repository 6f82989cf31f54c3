//! Jobs: running commands as futures that resume as simulated time passes.
//!
//! The interpreter is written as `async` code. A command that must wait for simulated time
//! awaits [`sleep_until`], which stays pending until the world's clock reaches the deadline.
//! Nothing here uses threads, timers or an executor crate: the driver polls with a no-op waker
//! after it has moved the clock, which works the same natively and in the browser.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use swarm_core::{SimTime, World};

/// A running command line.
pub(crate) struct Job {
    future: Pin<Box<dyn Future<Output = ()>>>,
    /// When the job wants to be polled again; shared with the futures that wait.
    wake: Rc<Cell<Option<SimTime>>>,
}

impl Job {
    pub(crate) fn new(
        future: Pin<Box<dyn Future<Output = ()>>>,
        wake: Rc<Cell<Option<SimTime>>>,
    ) -> Self {
        Job { future, wake }
    }

    /// Polls once; true when the job has finished.
    pub(crate) fn poll(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        self.wake.set(None);
        matches!(self.future.as_mut().poll(&mut cx), Poll::Ready(()))
    }

    /// When the job asked to be resumed.
    pub(crate) fn wake_at(&self) -> Option<SimTime> {
        self.wake.get()
    }
}

/// A future that is ready once `world`'s clock reaches `deadline`.
pub(crate) struct SleepUntil {
    pub(crate) world: Rc<RefCell<World>>,
    pub(crate) deadline: SimTime,
    pub(crate) wake: Rc<Cell<Option<SimTime>>>,
}

impl Future for SleepUntil {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.world.borrow().now() >= self.deadline {
            Poll::Ready(())
        } else {
            let earliest = match self.wake.get() {
                Some(t) => t.min(self.deadline),
                None => self.deadline,
            };
            self.wake.set(Some(earliest));
            Poll::Pending
        }
    }
}
