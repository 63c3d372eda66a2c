//! The `tollgate` binary: everything lives in the library; see [`tollgate::cli`].

/// mimalloc rather than the system allocator: a scan allocates and frees millions of
/// small values (parsed YAML, JSON texts, findings) from several threads, where glibc's
/// malloc spends a tenth of the run consolidating and unlinking chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` of the vendored mimalloc v3's mimalloc.h: how many
/// milliseconds freed memory is kept before it is given back to the system
/// (libmimalloc-sys names no constant for it; a test checks the number).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // Transparent huge pages make the kernel zero 2 MiB on the first touch of each: a
    // sixth of a large scan's CPU and a tenth of a pre-commit run went to zeroing memory
    // never used. mimalloc is built not to ask for them (`no_thp`), which covers its first
    // arena, reserved before `main`, where the system gives them only when asked; this
    // refuses them where the system gives them unasked. Refused by old kernels, which is
    // harmless.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // mimalloc keeps freed memory for a second before it gives it back, longer than most
    // scans last: the file contents freed as their batches end, and the objects freed
    // before the report is written, stayed in the peak (a fifth of it at 100k objects).
    // Given back after 10 ms, they leave it; `0` would give back every page at once, for
    // more system time and no further gain worth it. A delay the user set in mimalloc's
    // own variable stands.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` is not thread-safe, and this runs before any other
        // thread exists; the option is a plain integer, checked by the test below.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 10) };
    }
    tollgate::cli::main()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // v3's default for `mi_option_purge_delay`, which no other option has: a
        // renumbered option, or mimalloc v2 (10 ms), fails here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads one of mimalloc's options.
            let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
            assert_eq!(delay, 1000);
        }
    }
}
