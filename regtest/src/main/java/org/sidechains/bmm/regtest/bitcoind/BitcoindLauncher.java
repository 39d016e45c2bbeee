package org.sidechains.bmm.regtest.bitcoind;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Starts a user's {@code bitcoind} in regtest mode for the project's tools and tests: on 127.0.0.1 only, on free
 * ports, in a temporary datadir, and stopped again on {@link RunningBitcoind#close()}, on a JVM shutdown (Ctrl-C)
 * and when starting fails.
 *
 * <pre>{@code
 * BitcoindLocator.Located bitcoind = BitcoindLocator.system().locate(bitcoindOption);
 * try (RunningBitcoind node = BitcoindLauncher.of(bitcoind.path()).start()) {
 *     URI url = node.rpcUrl();  // with node.rpcUser() / node.rpcPassword()
 *     ...
 * }
 * }</pre>
 *
 * <p>bitcoind runs with its default relay and mining policy (no {@code -acceptnonstdtxn}). A launcher is an
 * immutable configuration; every {@code with...} returns a copy, and {@link #start()} may be called many times,
 * each giving an independent node.
 */
public final class BitcoindLauncher {
    /** How RPC clients authenticate. */
    public enum Auth {
        /** A fixed user and a random password, written to the datadir's {@code bitcoin.conf} (not the command line). */
        PASSWORD,
        /** bitcoind's cookie file ({@code DATADIR/regtest/.cookie}); its password changes on every start. */
        COOKIE
    }

    /** The RPC user in {@link Auth#PASSWORD} mode. */
    public static final String RPC_USER = "bmm";

    static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
    static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
    static final int DEFAULT_BIND_ATTEMPTS = 5;

    final Path binary;
    final Path datadir;
    final Auth auth;
    final Duration startTimeout;
    final Duration stopTimeout;
    final List<String> extraArgs;
    final int bindAttempts;

    private BitcoindLauncher(Path binary, Path datadir, Auth auth, Duration startTimeout, Duration stopTimeout,
                             List<String> extraArgs, int bindAttempts) {
        this.binary = Objects.requireNonNull(binary, "binary");
        this.datadir = datadir;
        this.auth = Objects.requireNonNull(auth, "auth");
        this.startTimeout = positive(startTimeout, "startTimeout");
        this.stopTimeout = positive(stopTimeout, "stopTimeout");
        this.extraArgs = List.copyOf(extraArgs);
        if (bindAttempts < 1) {
            throw new IllegalArgumentException("bindAttempts must be at least 1");
        }
        this.bindAttempts = bindAttempts;
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    /** A launcher for the bitcoind program at {@code binary} (see {@link BitcoindLocator}). */
    public static BitcoindLauncher of(Path binary) {
        return new BitcoindLauncher(binary.toAbsolutePath(), null, Auth.PASSWORD, DEFAULT_START_TIMEOUT,
                DEFAULT_STOP_TIMEOUT, List.of(), DEFAULT_BIND_ATTEMPTS);
    }

    /** A launcher for a located bitcoind. */
    public static BitcoindLauncher of(BitcoindLocator.Located located) {
        return of(located.path());
    }

    /**
     * Use this datadir instead of a temporary one; it is created if missing and kept on close. It must not hold a
     * {@code bitcoin.conf} of its own (the launcher writes one).
     */
    public BitcoindLauncher withDatadir(Path dir) {
        return new BitcoindLauncher(binary, dir.toAbsolutePath(), auth, startTimeout, stopTimeout, extraArgs,
                bindAttempts);
    }

    public BitcoindLauncher withAuth(Auth newAuth) {
        return new BitcoindLauncher(binary, datadir, newAuth, startTimeout, stopTimeout, extraArgs, bindAttempts);
    }

    /** How long to wait for RPC to answer after starting (default 60 s). */
    public BitcoindLauncher withStartTimeout(Duration timeout) {
        return new BitcoindLauncher(binary, datadir, auth, timeout, stopTimeout, extraArgs, bindAttempts);
    }

    /** How long to wait for bitcoind to exit after RPC {@code stop}, before it is terminated (default 30 s). */
    public BitcoindLauncher withStopTimeout(Duration timeout) {
        return new BitcoindLauncher(binary, datadir, auth, startTimeout, timeout, extraArgs, bindAttempts);
    }

    /** More bitcoind arguments, appended after the launcher's own (so they win where bitcoind lets the last win). */
    public BitcoindLauncher withExtraArgs(String... args) {
        List<String> all = new ArrayList<>(extraArgs);
        all.addAll(Arrays.asList(args));
        return new BitcoindLauncher(binary, datadir, auth, startTimeout, stopTimeout, all, bindAttempts);
    }

    /** How many times to pick ports again when bitcoind could not bind them (another process took one). */
    public BitcoindLauncher withBindAttempts(int attempts) {
        return new BitcoindLauncher(binary, datadir, auth, startTimeout, stopTimeout, extraArgs, attempts);
    }

    /**
     * Starts bitcoind and returns once its RPC answers {@code getblockcount}.
     *
     * @throws BitcoindException when it cannot start, exits early (the message carries the end of its
     *                           debug.log) or does not answer within the start timeout; nothing is left running and
     *                           a temporary datadir is deleted
     */
    public RunningBitcoind start() {
        return RunningBitcoind.launch(this);
    }

    @Override
    public String toString() {
        return "BitcoindLauncher[" + binary + (datadir == null ? "" : ", datadir " + datadir) + ", " + auth + "]";
    }
}
