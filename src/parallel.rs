//! Running batch work on rayon, with an optional explicit thread count.
//!
//! `threads = None` uses rayon's global pool (one thread per core, or `RAYON_NUM_THREADS`);
//! `Some(n)` runs on a pool of exactly `n` threads, built once per `n` and kept, so repeated
//! calls do not pay for spawning threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::ThreadPool;

use crate::error::{Error, Result};

fn pools() -> &'static Mutex<HashMap<usize, Arc<ThreadPool>>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    POOLS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn pool_of(threads: usize) -> Result<Arc<ThreadPool>> {
    // A poisoned lock only means another thread panicked while inserting: the map is intact.
    let mut map = pools()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(pool) = map.get(&threads) {
        return Ok(Arc::clone(pool));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("newsprep-{i}"))
        .build()
        .map_err(|e| Error::ThreadPool {
            threads,
            reason: e.to_string(),
        })?;
    let pool = Arc::new(pool);
    map.insert(threads, Arc::clone(&pool));
    Ok(pool)
}

/// Runs `work` (which uses rayon's parallel iterators) on the pool `threads` asks for.
///
/// `Some(0)` is an input error; `Some(1)` still runs on a one-thread pool, so the work is
/// sequential but off the caller's thread.
pub fn install<T, F>(threads: Option<usize>, work: F) -> Result<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    match threads {
        None => Ok(work()),
        Some(0) => Err(Error::Input("threads must be at least 1".into())),
        Some(n) => Ok(pool_of(n)?.install(work)),
    }
}

/// Starts `work` on a named thread of `scope`, so that the calling thread can do serial work
/// of its own (read the next batch, convert input) until it [`join`]s it. A thread that
/// cannot start is a typed [`Error::ThreadPool`], not a panic.
pub fn spawn_beside<'scope, T, F>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    work: F,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>>
where
    T: Send + 'scope,
    F: FnOnce() -> T + Send + 'scope,
{
    std::thread::Builder::new()
        .name(name.into())
        .spawn_scoped(scope, work)
        .map_err(|e| Error::ThreadPool {
            threads: 1,
            reason: format!("the {name} thread: {e}"),
        })
}

/// Waits for a thread started by [`spawn_beside`]. A panic in it is a bug (bad documents
/// become errors, not panics): it goes on up unchanged, as it would have from the pool.
pub fn join<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn explicit_pool_has_that_many_threads() {
        let n = install(Some(3), rayon::current_num_threads).unwrap();
        assert_eq!(n, 3);
    }

    #[test]
    fn zero_threads_is_an_input_error() {
        assert!(matches!(install(Some(0), || ()), Err(Error::Input(_))));
    }

    #[test]
    fn results_keep_input_order() {
        let out = install(Some(2), || {
            (0..1000).into_par_iter().map(|i| i * 2).collect::<Vec<_>>()
        })
        .unwrap();
        assert_eq!(out, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
    }
}
