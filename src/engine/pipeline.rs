//! The one read → compute → write pipeline every job runs (the only place in the crate that
//! spawns pipeline threads).
//!
//! A job is a sequence of `steps`. A reader thread fills an input set for each step in order; the
//! calling thread runs the compute stage on it (the GPU or CPU kernel), which may hand an output
//! set to a writer thread (for example after the last input of a window has been accumulated).
//! Two input and two output sets circulate, so reading step k+1 and writing the previous output
//! overlap computing step k, and host memory stays at two sets of each whatever the number of
//! steps. The cancel token is checked before every step.

use std::sync::mpsc::{channel, sync_channel};
use std::time::{Duration, Instant};

use super::control::CancelToken;
use crate::error::{Error, Result};

/// Busy time of each stage (the stages overlap, so these add up to more than the wall time).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub read: Duration,
    pub compute: Duration,
    pub write: Duration,
}

/// Run `steps` steps through the three stages.
///
/// - `read(k, set)` fills input set `set` for step `k` (reader thread);
/// - `compute(k, input, output)` consumes it; it returns `Some(tag)` when `output` is complete
///   and must be written (the next step then gets another output set), `None` to keep filling
///   the same output set;
/// - `write(tag, output)` writes a completed set (writer thread).
///
/// The first error of any stage stops all three and is returned (a stage's own error wins over
/// the "stopped" error it causes in the others).
pub fn run<I, O, T>(
    steps: usize,
    inputs: [I; 2],
    outputs: [O; 2],
    cancel: &CancelToken,
    mut read: impl FnMut(usize, &mut I) -> Result<()> + Send,
    mut compute: impl FnMut(usize, &mut I, &mut O) -> Result<Option<T>>,
    mut write: impl FnMut(T, &mut O) -> Result<()> + Send,
) -> Result<Timings>
where
    I: Send,
    O: Send,
    T: Send,
{
    std::thread::scope(|scope| -> Result<Timings> {
        let (full_in_tx, full_in_rx) = sync_channel::<Result<I>>(1);
        let (free_in_tx, free_in_rx) = channel::<I>();
        for set in inputs {
            let _ = free_in_tx.send(set);
        }
        let (full_out_tx, full_out_rx) = sync_channel::<(T, O)>(1);
        let (free_out_tx, free_out_rx) = channel::<O>();
        for set in outputs {
            let _ = free_out_tx.send(set);
        }
        let reader = scope.spawn(move || {
            let mut busy = Duration::ZERO;
            for k in 0..steps {
                let Ok(mut set) = free_in_rx.recv() else {
                    break;
                };
                let t = Instant::now();
                let res = read(k, &mut set);
                busy += t.elapsed();
                let failed = res.is_err();
                if full_in_tx.send(res.map(|()| set)).is_err() || failed {
                    break;
                }
            }
            busy
        });
        let writer = scope.spawn(move || -> Result<Duration> {
            let mut busy = Duration::ZERO;
            for (tag, mut set) in full_out_rx {
                let t = Instant::now();
                write(tag, &mut set)?;
                busy += t.elapsed();
                let _ = free_out_tx.send(set);
            }
            Ok(busy)
        });
        let mut t_compute = Duration::ZERO;
        let mut result = Ok(());
        let mut current: Option<O> = None;
        for k in 0..steps {
            let step = (|| -> Result<()> {
                cancel.check()?;
                let mut input = full_in_rx
                    .recv()
                    .map_err(|_| Error::Internal("reader stopped".into()))??;
                let mut out = match current.take() {
                    Some(o) => o,
                    None => free_out_rx
                        .recv()
                        .map_err(|_| Error::Internal("writer stopped".into()))?,
                };
                let t = Instant::now();
                let done = compute(k, &mut input, &mut out);
                t_compute += t.elapsed();
                let _ = free_in_tx.send(input);
                match done? {
                    Some(tag) => full_out_tx
                        .send((tag, out))
                        .map_err(|_| Error::Internal("writer stopped".into())),
                    None => {
                        current = Some(out);
                        Ok(())
                    }
                }
            })();
            if step.is_err() {
                result = step;
                break;
            }
        }
        // Closing the channels stops both threads; their errors come first (they are the cause
        // of a "stopped" error here).
        drop(full_out_tx);
        drop(free_in_tx);
        drop(full_in_rx);
        let write = writer
            .join()
            .map_err(|_| Error::Internal("writer thread panicked".into()))??;
        let read = reader
            .join()
            .map_err(|_| Error::Internal("reader thread panicked".into()))?;
        result?;
        Ok(Timings {
            read,
            compute: t_compute,
            write,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_read_computed_and_written_in_order() {
        let mut written = Vec::new();
        let t = run(
            10,
            [0usize, 0],
            [Vec::new(), Vec::new()],
            &CancelToken::new(),
            |k, set| {
                *set = k;
                Ok(())
            },
            |k, input, out: &mut Vec<usize>| {
                assert_eq!(*input, k);
                out.push(k);
                // Close an output set every third step (and at the end).
                Ok((k % 3 == 2 || k == 9).then_some(k))
            },
            |tag, out| {
                written.push((tag, std::mem::take(out)));
                Ok(())
            },
        );
        assert!(t.is_ok());
        assert_eq!(
            written,
            vec![
                (2, vec![0, 1, 2]),
                (5, vec![3, 4, 5]),
                (8, vec![6, 7, 8]),
                (9, vec![9])
            ]
        );
    }

    #[test]
    fn the_first_error_of_any_stage_is_returned() {
        let read_fails = run(
            5,
            [(), ()],
            [(), ()],
            &CancelToken::new(),
            |k, _| {
                if k == 3 {
                    Err(Error::Usage("read 3".into()))
                } else {
                    Ok(())
                }
            },
            |_, _, _| Ok(Some(())),
            |_, _| Ok(()),
        );
        assert!(matches!(read_fails, Err(Error::Usage(m)) if m == "read 3"));
        let write_fails = run(
            5,
            [(), ()],
            [(), ()],
            &CancelToken::new(),
            |_, _| Ok(()),
            |k, _, _| Ok(Some(k)),
            |k, _| {
                if k == 1 {
                    Err(Error::Usage("write 1".into()))
                } else {
                    Ok(())
                }
            },
        );
        assert!(matches!(write_fails, Err(Error::Usage(m)) if m == "write 1"));
        let cancel = CancelToken::new();
        cancel.cancel();
        let cancelled = run(
            5,
            [(), ()],
            [(), ()],
            &cancel,
            |_, _| Ok(()),
            |_, _, _| Ok(Some(())),
            |_, _| Ok(()),
        );
        assert!(matches!(cancelled, Err(Error::Interrupted)));
    }
}
