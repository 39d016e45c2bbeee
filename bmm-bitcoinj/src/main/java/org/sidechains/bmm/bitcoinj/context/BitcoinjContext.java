package org.sidechains.bmm.bitcoinj.context;

import org.bitcoinj.core.Context;

/**
 * bitcoinj keeps a {@link Context} per thread and fails (or logs an error and guesses) on a thread
 * without one. Threads this project starts (followers, JSON-RPC handlers) call {@link #ensure()}
 * before touching bitcoinj objects, so they share one context with bitcoinj's defaults.
 */
public final class BitcoinjContext {
    private static final Context SHARED = new Context();

    private BitcoinjContext() {
    }

    /** Sets the shared context on the current thread. */
    public static void ensure() {
        Context.propagate(SHARED);
    }
}
