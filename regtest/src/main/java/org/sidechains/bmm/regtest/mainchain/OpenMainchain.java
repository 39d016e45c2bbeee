package org.sidechains.bmm.regtest.mainchain;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sidechains.bmm.bitcoinj.mainchain.Mainchain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mainchain a command opened, with what it started to get it (a bitcoind process, the embedded
 * chain's JSON-RPC server): closing stops those too, newest first.
 */
public final class OpenMainchain implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpenMainchain.class);

    private final Mainchain main;
    private final Optional<URI> url;
    private final String description;
    private final List<AutoCloseable> started;
    private boolean closed;

    private OpenMainchain(Mainchain main, Optional<URI> url, String description, List<AutoCloseable> started) {
        this.main = Objects.requireNonNull(main, "main");
        this.url = Objects.requireNonNull(url, "url");
        this.description = Objects.requireNonNull(description, "description");
        this.started = started;
    }

    public static OpenMainchain of(Mainchain main, Optional<URI> url, String description, AutoCloseable... started) {
        return new OpenMainchain(main, url, description, new ArrayList<>(List.of(started)));
    }

    public Mainchain mainchain() {
        return main;
    }

    /** Where other processes reach this mainchain's JSON-RPC. */
    public Optional<URI> url() {
        return url;
    }

    public String description() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        main.close();
        List<AutoCloseable> rev = new ArrayList<>(started);
        Collections.reverse(rev);
        for (AutoCloseable c : rev) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c, e.toString());
            }
        }
        started.clear();
    }
}
