package org.sidechains.bmm.regtest.bitcoind;

import java.nio.file.Path;

/**
 * Run in a child JVM by {@link RunningBitcoindTest}: starts bitcoind, prints {@code READY pid datadir}, then waits
 * to be interrupted (SIGINT), so the test can check that the shutdown hook stops bitcoind.
 */
public final class ShutdownHookChild {
    private ShutdownHookChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        RunningBitcoind node = BitcoindLauncher.of(Path.of(args[0])).start();
        System.out.println("READY " + node.pid() + " " + node.datadir());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
