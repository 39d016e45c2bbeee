package org.sidechains.bmm.regtest.bitcoind;

import picocli.CommandLine.Option;

import java.util.Optional;

/**
 * The {@code --bitcoind PATH} option for bmm-regtest commands; add it with {@code @Mixin BitcoindOption bitcoind;}.
 * Resolution is {@link BitcoindLocator}'s: this option, then {@code BITCOIND}, then {@code PATH}.
 */
public final class BitcoindOption {
    @Option(names = BitcoindLocator.OPTION, paramLabel = "PATH",
            description = "The bitcoind program to run in regtest mode (default: $BITCOIND, else bitcoind on PATH;"
                    + " without one the embedded regtest chain is used).")
    String path;

    /** The value given, or null. */
    public String path() {
        return path;
    }

    /** The bitcoind to use, or empty for the embedded chain; an unusable given path is an error. */
    public Optional<BitcoindLocator.Located> find() {
        return BitcoindLocator.system().find(path);
    }

    /** The bitcoind to use; none is a {@link BitcoindNotFoundException} saying how to get one. */
    public BitcoindLocator.Located locate() {
        return BitcoindLocator.system().locate(path);
    }
}
